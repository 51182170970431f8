// The module (guix-ops keys) in a real Guile: Guix itself cannot be had
// here, so the few Guix bindings it uses are small stand-ins with Guix's
// names and record fields (gnu/services.scm, gnu/services/shepherd.scm,
// guix/gexp.scm: #~ quotes, #$ inserts), and the Shepherd procedures its
// action calls follow modules/shepherd/service.scm 0.9.3 (Guix 1.4.0's):
// `start` starts the requirements first, `restart` restarts the dependents.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { KEYS_MODULE, KEYS_MODULE_TEXT } from './key-service.js'

const GEXP = `(define-module (guix gexp))
(read-hash-extend #\\~ (lambda (c port) (list 'quasiquote (read port))))
(read-hash-extend #\\$ (lambda (c port) (list 'unquote (read port))))`

const RECORD = `(define-syntax-rule (record (field value) ...) (list (cons 'field value) ...))`

const SERVICES = `(define-module (gnu services) #:export (service-type service-extension))
${RECORD}
(define-syntax-rule (service-type clause ...) (record clause ...))
(define (service-extension target compute) (list target compute))`

const SHEPHERD_SERVICES = `(define-module (gnu services shepherd)
  #:export (shepherd-root-service-type shepherd-service shepherd-action))
${RECORD}
(define shepherd-root-service-type 'shepherd-root)
(define-syntax-rule (shepherd-service clause ...) (record clause ...))
(define-syntax-rule (shepherd-action clause ...) (record clause ...))`

/** The 0.9.3 names the action falls back to, over a registry the test fills. */
const SHEPHERD = `(define-module (shepherd service)
  #:export (for-each-service provided-by required-by running? start action register))
(define registry '())
(define (register provision requirement start running)
  (set! registry (cons (vector provision requirement start running) registry)))
(define (for-each-service proc) (for-each proc registry))
(define (provided-by s) (vector-ref s 0))
(define (required-by s) (vector-ref s 1))
(define (running? s) (vector-ref s 3))
(define (lookup name) (find (lambda (s) (memq name (provided-by s))) registry))
(define (start s)
  (unless (running? s)
    (when (and (every (lambda (r) (start (lookup r)) (running? (lookup r))) (required-by s))
               ((vector-ref s 2)))
      (vector-set! s 3 #t)))
  (running? s))
(define (stop s)
  (let ((dependents (filter (lambda (d) (and (running? d) (any (lambda (p) (memq p (required-by d))) (provided-by s))))
                            registry)))
    (let ((stopped (append-map stop dependents)))
      (vector-set! s 3 #f)
      (cons s stopped))))
(define (action s name) (when (eq? name 'restart) (for-each start (stop s))))
(use-modules (srfi srfi-1))`

const PROGRAM = `(use-modules (guix-ops keys) (shepherd service) (srfi srfi-1) (ice-9 format))
(define compute (cadr (car (assq-ref guix-ops-key-service-type 'extensions))))
(define keys (compute (list "db" (cons "api" (getenv "KEYS_DIR")))))
(define (gexp->procedure g) (eval g (resolve-module '(guile-user))))
(define (key name) (find (lambda (s) (equal? (assq-ref s 'provision) (list name))) keys))
(define (start-of name) (gexp->procedure (assq-ref (key name) 'start)))
(define (refresh name)
  (gexp->procedure (assq-ref (car (assq-ref (key name) 'actions)) 'procedure)))
(for-each (lambda (s) (format #t "~a ~a~%" (car (assq-ref s 'provision)) ((start-of (car (assq-ref s 'provision))))))
          keys)
(define started '())
(register '(guix-ops-key-api) '() (start-of 'guix-ops-key-api) #f)
(register '(shop) '(guix-ops-key-api) (lambda () (set! started (cons 'shop started)) #t) #f)
(register '(unrelated) '() (lambda () #t) #f)
((refresh 'guix-ops-key-api) #f)
(for-each-service (lambda (s) (format #t "~a running: ~a~%" (car (provided-by s)) (running? s))))
((refresh 'guix-ops-key-api) #t)
(format #t "shop started ~a times~%" (length started))
`

describe('the (guix-ops keys) module', () => {
  it('reads and evaluates in Guile: a service per key, running only while its file exists; refresh starts its dependents', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-key-module-'))
    for (const sub of ['guix-ops', 'guix', 'gnu/services', 'shepherd', 'keys'])
      mkdirSync(path.join(dir, sub), { recursive: true })
    writeFileSync(path.join(dir, KEYS_MODULE), KEYS_MODULE_TEXT)
    writeFileSync(path.join(dir, 'guix/gexp.scm'), GEXP)
    writeFileSync(path.join(dir, 'gnu/services.scm'), SERVICES)
    writeFileSync(path.join(dir, 'gnu/services/shepherd.scm'), SHEPHERD_SERVICES)
    writeFileSync(path.join(dir, 'shepherd/service.scm'), SHEPHERD)
    writeFileSync(path.join(dir, 'keys/api'), 'not a real key')
    const out = execFileSync('guile', ['--no-auto-compile', '-L', dir, '-c', PROGRAM], {
      encoding: 'utf8',
      env: { ...process.env, KEYS_DIR: path.join(dir, 'keys') },
    })
    expect(out.trim().split('\n')).toEqual([
      // /run/keys/db is not there (nothing here writes to /run/keys); the api key is.
      'guix-ops-key-db #f',
      'guix-ops-key-api #t',
      'unrelated running: #f',
      'shop running: #t',
      'guix-ops-key-api running: #t',
      // A second refresh (a new value) restarts the key service and the service running on it.
      'shop started 2 times',
    ])
  })
})
