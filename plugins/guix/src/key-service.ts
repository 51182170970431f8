/**
 * The module `(guix-ops keys)`: the Shepherd side of deployment keys, the
 * counterpart of the `guix-ops-key-NAME.service` units on systemd hosts.
 * It is the same for every machine (no key, no name, no path in it) and is
 * uploaded beside `(guix-ops parameters)`; a config that wants it says
 *
 *   (service guix-ops-key-service-type '("db-password"))
 *
 * and its services `(requirement '(guix-ops-key-db-password))`.
 *
 * How Shepherd works decides the shape (cited from its source,
 * modules/shepherd/service.scm, 0.9.3 as Guix 1.4.0 ships it, and 0.10):
 * - a service starts once its requirements started; a requirement whose
 *   `start` returns #f fails, and the dependent is not started;
 * - Guix starts the auto-start services one after the other at boot
 *   (gnu/services/shepherd.scm, shepherd-configuration-file): a `start`
 *   that waited for the file would hold up every service after it (sshd
 *   too, so `upload-keys` could never reach the host). So the key service
 *   only looks: running if the file is there, failed if not;
 * - `restart` stops a service with the services running on it, then starts
 *   them all again (`stop` returns them all);
 * - an action can be called on a stopped service (`action`/
 *   `perform-service-action`), so guix-ops, once it has written a key,
 *   calls the key service's `refresh`: it starts the key service (or
 *   restarts it, and its dependents, for a new value), then the stopped
 *   services that require it, which a boot without the key left down.
 * Shepherd 0.10 renamed the procedures it uses; 0.9 has the old names only.
 */

/** Path of the module inside the generated modules directory. */
export const KEYS_MODULE = 'guix-ops/keys.scm'

export const KEYS_MODULE_TEXT = `;; Shipped by guix-ops with every deploy of the guix driver (see docs/keys.md).
;; Shepherd services that run only while a deployment key is on the host.
(define-module (guix-ops keys)
  #:use-module (gnu services)
  #:use-module (gnu services shepherd)
  #:use-module (guix gexp)
  #:use-module (ice-9 match)
  #:use-module (srfi srfi-1)
  #:export (guix-ops-key-service-type
            guix-ops-key-shepherd-service))

(define (key-name key)
  (match key
    ((name . directory) name)
    (name name)))

(define (key-file key)
  "KEY is \\"NAME\\", a key in /run/keys, or (\\"NAME\\" . \\"/DEST/DIR\\")."
  (match key
    ((name . directory) (string-append directory "/" name))
    (name (string-append "/run/keys/" name))))

(define (refresh-procedure self)
  #~(lambda (running . _)
      (define shepherd (resolve-interface '(shepherd service)))
      (define (pick new old)
        (module-ref shepherd (if (module-variable shepherd new) new old)))
      (define provision (pick 'service-provision 'provided-by))
      (define requirement (pick 'service-requirement 'required-by))
      (define running? (pick 'service-running? 'running?))
      (define start (pick 'start-service 'start))
      (define act (pick 'perform-service-action 'action))
      (define services
        (let ((all '()))
          ((module-ref shepherd 'for-each-service)
           (lambda (service) (set! all (cons service all))))
          all))
      (for-each (lambda (service)
                  (when (memq '#$self (provision service))
                    (if (running? service)
                        (act service 'restart)
                        (start service))))
                services)
      (for-each (lambda (service)
                  (when (and (memq '#$self (requirement service))
                             (not (running? service)))
                    (start service)))
                services)
      #t))

(define (guix-ops-key-shepherd-service key)
  "The Shepherd service guix-ops-key-NAME: running while KEY's file exists."
  (let ((self (string->symbol (string-append "guix-ops-key-" (key-name key))))
        (file (key-file key)))
    (shepherd-service
     (documentation (string-append "Running while the deployment key "
                                   file " is present."))
     (provision (list self))
     (respawn? #f)
     (start #~(lambda _ (file-exists? #$file)))
     (stop #~(lambda _ #f))
     (actions
      (list (shepherd-action
             (name 'refresh)
             (documentation "Start this service now that its key is written,
or restart it with the services running on it; then start the stopped
services that require it.")
             (procedure (refresh-procedure self))))))))

(define guix-ops-key-service-type
  (service-type
   (name 'guix-ops-key)
   (extensions
    (list (service-extension shepherd-root-service-type
                             (lambda (keys)
                               (map guix-ops-key-shepherd-service keys)))))
   (compose concatenate)
   (extend append)
   (default-value '())
   (description "Shepherd services guix-ops-key-NAME, running while the
deployment key NAME, sent by guix-ops, is on the host.")))
`
