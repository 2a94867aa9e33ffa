"""Documents attached to referrals, Community Supports requests, authorizations and appeals: referral forms and
supporting records (PDF, images), type- and size-checked, kept through Django's storage API and scoped like the record
they belong to."""
