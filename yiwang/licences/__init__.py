"""E-licences (电子证照): issue, sign (SM2), verify, reuse as materials, revoke."""
