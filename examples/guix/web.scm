;; The web host: nginx in front of the shop app, which finds the database at
;; the address guix-ops computed when it deployed db.
(use-modules (gnu) (guix-ops parameters))
(use-service-modules networking ssh web)

(load "common.scm")

(define %database-url
  (string-append "postgresql://shop@" (parameter "db-address")
                 ":" (number->string (parameter "db-port")) "/shop"))

(shop-os "web"
         (list (service nginx-service-type
                        (nginx-configuration
                         (server-blocks
                          (list (nginx-server-configuration
                                 (listen '("80"))
                                 (locations
                                  (list (nginx-location-configuration
                                         (uri "/")
                                         (body '("proxy_pass http://127.0.0.1:8000;"))))))))))
               (simple-service 'shop-env etc-service-type
                               `(("shop.env" ,(plain-file "shop.env"
                                                          (string-append "DATABASE_URL=" %database-url "\n")))))))
