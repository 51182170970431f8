;; What both hosts share: boot, disks and SSH. Loaded by db.scm and web.scm,
;; and uploaded with them.
(define (shop-os name services)
  (operating-system
    (host-name name)
    (timezone "Etc/UTC")
    (bootloader (bootloader-configuration
                 (bootloader grub-bootloader)
                 (targets '("/dev/vda"))))
    (file-systems (cons (file-system
                          (device (file-system-label "root"))
                          (mount-point "/")
                          (type "ext4"))
                        %base-file-systems))
    (services (append services
                      (list (service dhcp-client-service-type)
                            (service openssh-service-type
                                     (openssh-configuration
                                      (permit-root-login 'prohibit-password)
                                      (password-authentication? #f)
                                      (authorized-keys
                                       `(("root" ,(local-file "keys/deploy.pub")))))))
                      %base-services))))
