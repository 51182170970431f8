;; The database host: PostgreSQL, listening on the network for web.
(use-modules (gnu))
(use-service-modules databases networking ssh)
(use-package-modules databases)

(load "common.scm")

(shop-os "db"
         (list (service postgresql-service-type
                        (postgresql-configuration
                         (postgresql postgresql-15)
                         (config-file
                          (postgresql-config-file
                           (hba-file (local-file "pg_hba.conf"))
                           (extra-config '(("listen_addresses" "'*'")))))))))
