"""Flows that cross domains, each written once and called by the web app, the API and the commands alike.

A workflow checks (the domains' `can_*` policies and input checks), locks the rows it changes, then runs each
domain's own service in order, in one transaction, so a later step can still veto an earlier one (a Community
Supports limit refuses an approval; a denial ends a presumptive enrollment). Domain services own one aggregate
each and never call sideways or up; the notices a change owes are written in its transaction and sent after it
commits (calaim.notices.services).
"""
