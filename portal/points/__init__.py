"""Service points (服务积分): a double-entry ledger per community, in which deeds earn points that
can be given to neighbours or the community's pool."""
