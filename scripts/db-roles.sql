-- The two database roles (docs/operating.md, "Least privilege in the database"). Run as a superuser on the
-- ledger's database; safe to run again. `outcomes_owner` owns the schema and every table and runs
-- the migrations (DATABASE_MIGRATION_URL); `outcomes_service` is what the API and worker connect as
-- (DATABASE_URL): it owns nothing and gets its grants from the migration runner. Production sets
-- passwords (ALTER ROLE … PASSWORD) or certificate authentication; this machine trusts 127.0.0.1.
DO $$
BEGIN
  -- One session at a time (test files call this in parallel).
  PERFORM pg_advisory_xact_lock(727002);
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'outcomes_owner') THEN
    CREATE ROLE outcomes_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'outcomes_service') THEN
    CREATE ROLE outcomes_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
  END IF;
  -- The owner creates the ledger's schemas (and a rebuild's shadow schema) in this database.
  EXECUTE format('GRANT CREATE ON DATABASE %I TO outcomes_owner', current_database());
  GRANT CREATE, USAGE ON SCHEMA public TO outcomes_owner;
END
$$;
