"""Appeals of Notices of Action and grievances, with their clocks."""
