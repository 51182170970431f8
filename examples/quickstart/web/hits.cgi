#!/bin/sh
# The web front end's one page: counts a visit in the database and says
# where the database is. DB_HOST comes from /etc/quickstart/db.env, which
# guix-ops writes with db's address on the private network.
. /etc/quickstart/db.env
hits=$(redis-cli -h "$DB_HOST" -p "$DB_PORT" INCR quickstart:hits 2>&1)
printf 'Content-Type: text/plain\r\n\r\n'
printf 'Hello from web! The database at %s:%s has counted %s visit(s).\n' "$DB_HOST" "$DB_PORT" "$hits"
