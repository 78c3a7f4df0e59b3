#!/bin/sh
# Run once by the postgres image on an empty data directory, after 10-db-roles.sql has made the
# ledger's two roles: gives them the passwords `outcomes init` wrote to docker/.env. The API and
# worker connect as outcomes_service; migrations run as outcomes_owner; the superuser is not used.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="${OUTCOMES_OWNER_PASSWORD:?run outcomes init first}" \
  -v service_password="${OUTCOMES_SERVICE_PASSWORD:?run outcomes init first}" <<'SQL'
ALTER ROLE outcomes_owner PASSWORD :'owner_password';
ALTER ROLE outcomes_service PASSWORD :'service_password';
SQL
