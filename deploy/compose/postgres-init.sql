-- First start of the compose PostgreSQL (run by the image's entrypoint from
-- /docker-entrypoint-initdb.d, as the superuser, only while the data volume is empty):
-- one role and one database per service. Each role owns its database and may connect to no
-- other service's database. The passwords come from the container's environment (`\getenv`,
-- psql 15+); a missing one leaves `:'…'` unexpanded, which fails the script.
\set ON_ERROR_STOP on

\getenv catalog_password CATALOG_DB_PASSWORD
CREATE ROLE catalog LOGIN PASSWORD :'catalog_password';
CREATE DATABASE catalog OWNER catalog;
REVOKE ALL ON DATABASE catalog FROM PUBLIC;

\getenv registration_password REGISTRATION_DB_PASSWORD
CREATE ROLE registration LOGIN PASSWORD :'registration_password';
CREATE DATABASE registration OWNER registration;
REVOKE ALL ON DATABASE registration FROM PUBLIC;

\getenv notification_password NOTIFICATION_DB_PASSWORD
CREATE ROLE notification LOGIN PASSWORD :'notification_password';
CREATE DATABASE notification OWNER notification;
REVOKE ALL ON DATABASE notification FROM PUBLIC;

\getenv staff_password STAFF_DB_PASSWORD
CREATE ROLE staff LOGIN PASSWORD :'staff_password';
CREATE DATABASE staff OWNER staff;
REVOKE ALL ON DATABASE staff FROM PUBLIC;
