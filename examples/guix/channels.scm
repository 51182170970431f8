;; Pins Guix itself: both hosts reconfigure with this exact Guix, through
;; `guix time-machine -C channels.scm`. Replace the commit with the one you
;; tested (`guix describe -f channels` prints yours).
(list (channel
       (inherit (car %default-channels))
       (commit "2df3ac8a4a0e0c4ba3a0fd39baebc3bbaf3a7c74")))
