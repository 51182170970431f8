/**
 * A Guile program that reads every datum of the files named on its command
 * line and prints each file as one line of JSON, evaluating nothing: lists
 * carry the line and column they start at; a read error stops the file and
 * names the top-level form it was in and where the reader stopped (some
 * errors, such as a character literal out of range, carry no position). Guix's gexp syntax (#~ #$ #$@ #+) is
 * registered the way (guix gexp) does, so configs read without Guix.
 */
export const READER_SCRIPT = `
(use-modules (ice-9 rdelim))
(define (gexp-reader tag splice)
  (lambda (chr port)
    (if (and splice (eqv? (peek-char port) #\\@))
        (begin (read-char port) (list splice (read port)))
        (list tag (read port)))))
(read-hash-extend #\\~ (gexp-reader 'gexp #f))
(read-hash-extend #\\$ (gexp-reader 'ungexp 'ungexp-splicing))
(read-hash-extend #\\+ (gexp-reader 'ungexp-native 'ungexp-native-splicing))
(define (json-string s)
  (string-append "\\""
    (apply string-append
      (map (lambda (c)
             (cond ((char=? c #\\") "\\\\\\"") ((char=? c #\\\\) "\\\\\\\\")
                   ((char<? c #\\space)
                    (string-append "\\\\u" (string-pad (number->string (char->integer c) 16) 4 #\\0)))
                   (else (string c))))
           (string->list s)))
    "\\""))
(define (pos d)
  (let ((p (source-properties d)))
    (if (assq 'line p)
        (format #f ",\\"line\\":~a,\\"col\\":~a" (+ 1 (assq-ref p 'line)) (+ 1 (assq-ref p 'column)))
        "")))
(define (items->json xs)
  (let loop ((xs xs) (acc '()))
    (cond ((null? xs) (values (reverse acc) #f))
          ((pair? xs) (loop (cdr xs) (cons (datum->json (car xs)) acc)))
          (else (values (reverse acc) (datum->json xs))))))
(define (datum->json d)
  (cond ((pair? d)
         (call-with-values (lambda () (items->json d))
           (lambda (items tail)
             (string-append "{\\"list\\":[" (string-join items ",") "]"
                            (if tail (string-append ",\\"tail\\":" tail) "") (pos d) "}"))))
        ((null? d) "{\\"list\\":[]}")
        ((string? d) (json-string d))
        ((symbol? d) (string-append "{\\"symbol\\":" (json-string (symbol->string d)) "}"))
        ((keyword? d) (string-append "{\\"keyword\\":" (json-string (symbol->string (keyword->symbol d))) "}"))
        ((boolean? d) (if d "true" "false"))
        ((and (number? d) (exact? d) (integer? d)) (number->string d))
        ((and (real? d) (inexact? d) (not (nan? d)) (not (inf? d))) (number->string d))
        ((vector? d) (string-append "{\\"vector\\":[" (string-join (map datum->json (vector->list d)) ",") "]}"))
        (else (string-append "{\\"other\\":" (json-string (object->string d)) "}"))))
(define (error-text key args)
  (if (and (= (length args) 4) (string? (cadr args)))
      (apply format #f (cadr args) (or (caddr args) '()))
      (format #f "~a: ~s" key args)))
(define (skip-blank port)
  (let ((c (peek-char port)))
    (cond ((eof-object? c) c)
          ((char-whitespace? c) (read-char port) (skip-blank port))
          ((char=? c #\\;) (read-line port) (skip-blank port))
          (else c))))
(define (read-file file)
  (call-with-input-file file
    (lambda (port)
      (let loop ((out '()))
        (skip-blank port)
        (let ((line (+ 1 (port-line port))) (col (+ 1 (port-column port))))
          (catch #t
            (lambda ()
              (let ((d (read port)))
                (if (eof-object? d)
                    (string-append "{\\"data\\":[" (string-join (reverse out) ",") "]}")
                    (loop (cons (datum->json d) out)))))
            (lambda (key . args)
              (format #f "{\\"error\\":~a,\\"form\\":{\\"line\\":~a,\\"col\\":~a},\\"stop\\":{\\"line\\":~a,\\"col\\":~a}}"
                      (json-string (error-text key args)) line col
                      (+ 1 (port-line port)) (+ 1 (port-column port))))))))))
(for-each (lambda (f) (display (read-file f)) (newline))
          (cdr (member "--" (command-line))))
`
