/**
 * Every error code the core and the CLI raise, with what it means and what to
 * do about it. Stable: scripts match on them. docs/errors.md is generated
 * from this table (`npm run docs:errors`). Plugins declare their own codes,
 * prefixed with their name, in their own `src/codes.ts`.
 */
import { describeErrorCodes, type ErrorCodeDoc } from '@guix-ops/plugin-api'

export const ErrorCode = {
  // config
  ConfigNotFound: 'E_CONFIG_NOT_FOUND',
  ConfigLoad: 'E_CONFIG_LOAD',
  ConfigTimeout: 'E_CONFIG_TIMEOUT',
  ConfigInvalid: 'E_CONFIG_INVALID',
  ConfigField: 'E_CONFIG_FIELD',
  DeploymentNotInConfig: 'E_DEPLOYMENT_NOT_IN_CONFIG',
  UnknownPlatform: 'E_UNKNOWN_PLATFORM',
  UnknownSystem: 'E_UNKNOWN_SYSTEM',
  PlatformOption: 'E_PLATFORM_OPTION',
  SystemOption: 'E_SYSTEM_OPTION',
  SharedHost: 'E_SHARED_HOST',
  SystemValidate: 'E_SYSTEM_VALIDATE',
  // graph
  DependencyCycle: 'E_DEPENDENCY_CYCLE',
  MissingDependency: 'E_MISSING_DEPENDENCY',
  MachineFunction: 'E_MACHINE_FUNCTION',
  // state
  StateCorrupt: 'E_STATE_CORRUPT',
  StateForeign: 'E_STATE_FOREIGN',
  StateTooNew: 'E_STATE_TOO_NEW',
  StateInvalid: 'E_STATE_INVALID',
  StateIo: 'E_STATE_IO',
  StateLocked: 'E_STATE_LOCKED',
  ExportWrite: 'E_EXPORT_WRITE',
  NotLocked: 'E_NOT_LOCKED',
  // deployments
  DeploymentNotFound: 'E_DEPLOYMENT_NOT_FOUND',
  DeploymentExists: 'E_DEPLOYMENT_EXISTS',
  DeploymentRequired: 'E_DEPLOYMENT_REQUIRED',
  DeploymentLive: 'E_DEPLOYMENT_LIVE',
  MachinesRunning: 'E_MACHINES_RUNNING',
  MachineState: 'E_MACHINE_STATE',
  StartTimeout: 'E_START_TIMEOUT',
  ConfirmationRequired: 'E_CONFIRMATION_REQUIRED',
  Cancelled: 'E_CANCELLED',
  InvalidName: 'E_INVALID_NAME',
  ImportInvalid: 'E_IMPORT_INVALID',
  NotDeployed: 'E_NOT_DEPLOYED',
  Capability: 'E_CAPABILITY',
  DeployStep: 'E_DEPLOY_STEP',
  HookFailed: 'E_HOOK_FAILED',
  // ssh
  SshConnect: 'E_SSH_CONNECT',
  SshAuth: 'E_SSH_AUTH',
  SshHostKeyChanged: 'E_SSH_HOST_KEY_CHANGED',
  SshNoHostKey: 'E_SSH_NO_HOST_KEY',
  SshExec: 'E_SSH_EXEC',
  SshTransfer: 'E_SSH_TRANSFER',
  SshSudo: 'E_SSH_SUDO',
  // plugins
  PluginManifest: 'E_PLUGIN_MANIFEST',
  PluginApiVersion: 'E_PLUGIN_API_VERSION',
  PluginLoad: 'E_PLUGIN_LOAD',
  PluginContract: 'E_PLUGIN_CONTRACT',
  PluginConflict: 'E_PLUGIN_CONFLICT',
  PluginInstall: 'E_PLUGIN_INSTALL',
  ScaffoldTarget: 'E_SCAFFOLD_TARGET',
  // deployment keys (secrets)
  KeySource: 'E_KEY_SOURCE',
  KeyOwner: 'E_KEY_OWNER',
  KeyUpload: 'E_KEY_UPLOAD',
  KeyExists: 'E_KEY_EXISTS',
  // the command line
  Usage: 'E_USAGE',
  Internal: 'E_INTERNAL',
} as const

/** Every code above with what it means and what to do about it: what docs/errors.md lists. */
export const errorReference: readonly ErrorCodeDoc[] = describeErrorCodes('E_', ErrorCode, {
  ConfigNotFound: {
    meaning: 'no config file where one was expected',
    hint: 'pass the config file, or run the command in the directory that holds `guix-ops.config.*`',
  },
  ConfigLoad: {
    meaning: 'the config file does not parse, throws or calls `process.exit()` when loaded',
    hint: 'fix the file at the place named; a config only returns its definition',
  },
  ConfigTimeout: {
    meaning: "the config's code did not finish within `--config-timeout`",
    hint: 'look for a loop or a wait that never ends in the config, or raise --config-timeout',
  },
  ConfigInvalid: {
    meaning: 'several config errors, listed in `details`',
    hint: 'fix each error listed; they are all shown at once',
  },
  ConfigField: {
    meaning: 'a config field has the wrong shape',
    hint: 'fix the field named (file and dotted path)',
  },
  DeploymentNotInConfig: {
    meaning: 'the config file defines no deployment of that name',
    hint: 'use one of the deployment names the config defines',
  },
  UnknownPlatform: {
    meaning: 'no plugin provides that platform type',
    hint: 'check the spelling, or install the plugin that provides it (`guix-ops platforms` lists them)',
  },
  UnknownSystem: {
    meaning: 'no plugin provides that system type',
    hint: 'check the spelling, or install the plugin that provides it (`guix-ops platforms` lists them)',
  },
  PlatformOption: {
    meaning: "a platform option fails the plugin's schema",
    hint: "see the platform plugin's options table",
  },
  SystemOption: {
    meaning: "a system option fails the driver's schema",
    hint: "see the system driver's options table",
  },
  SharedHost: {
    meaning: 'two machines of one deployment name the same host and port',
    hint: 'give each machine its own host, or one machine for that host',
  },
  SystemValidate: {
    meaning: "a system driver's check of the files its options name failed without a code of its own",
    hint: 'the message names the driver and the machine; check the files its options name',
  },
  DependencyCycle: {
    meaning: "the machines' `needs` form a cycle",
    hint: 'remove one of the `needs` named in the cycle',
  },
  MissingDependency: {
    meaning: 'a machine needs one that is not in the deployment',
    hint: 'check the name in `needs`, or add that machine',
  },
  MachineFunction: {
    meaning: 'a machine function threw or returned no machine',
    hint: 'make the function return a machine definition',
  },
  StateCorrupt: {
    meaning: 'a state file is not valid JSON',
    hint: 'restore the file from a backup or an export; guix-ops never overwrites it',
  },
  StateForeign: {
    meaning: 'a file in the state dir is not a guix-ops state file',
    hint: 'move the file out of the state dir',
  },
  StateTooNew: {
    meaning: 'a state file was written by a newer guix-ops',
    hint: 'upgrade guix-ops',
  },
  StateInvalid: {
    meaning: 'a state file does not have the shape of a deployment',
    hint: 'restore the file from a backup or an export',
  },
  StateIo: {
    meaning: 'the state dir cannot be read or written',
    hint: 'check the state dir (--state-dir, GUIX_OPS_STATE_DIR) and its permissions',
  },
  StateLocked: {
    meaning: 'another command holds the deployment',
    hint: 'wait for it to finish; `guix-ops unlock` only if it is gone',
  },
  ExportWrite: {
    meaning: '`export --output` could not write its file; an older file there is left as it was',
    hint: 'check the free space and permissions of the directory it goes to',
  },
  NotLocked: {
    meaning: '`unlock` of a deployment nobody holds',
    hint: 'nothing to do',
  },
  DeploymentNotFound: {
    meaning: 'no deployment of that name or id',
    hint: '`guix-ops list` shows the deployments',
  },
  DeploymentExists: {
    meaning: 'a deployment of that name exists already',
    hint: 'choose another name, or `guix-ops modify` the existing one',
  },
  DeploymentRequired: {
    meaning: 'the command needs a deployment and none was named',
    hint: 'pass -d NAME, or set GUIX_OPS_DEPLOYMENT',
  },
  DeploymentLive: {
    meaning: 'refused so as not to lose a deployment whose machines exist',
    hint: 'destroy its machines first, or pass --force to forget them',
  },
  MachinesRunning: {
    meaning: 'machines of the deployment still run; nothing was changed',
    hint: 'destroy them first',
  },
  MachineState: {
    meaning: 'a machine cannot be started or stopped from the state it is in',
    hint: '`guix-ops info` shows its state',
  },
  StartTimeout: {
    meaning: 'a started machine did not come up in time',
    hint: 'raise --timeout, or look at the machine with its platform',
  },
  ConfirmationRequired: {
    meaning: '`destroy` was not confirmed and stdin is not a terminal',
    hint: 'pass --yes in scripts',
  },
  Cancelled: {
    meaning: '`destroy` was not confirmed',
    hint: 'nothing was destroyed',
  },
  InvalidName: {
    meaning: 'a bad deployment, platform or package name',
    hint: 'the message says which characters the name may have',
  },
  ImportInvalid: {
    meaning: 'the file to import is not a guix-ops export',
    hint: 'import a file written by `guix-ops export`',
  },
  NotDeployed: {
    meaning: 'the machine has not been deployed yet',
    hint: 'deploy it first',
  },
  Capability: {
    meaning: "the machine's platform or system cannot do that (start, stop, reboot, destroy, delete a generation)",
    hint: "do it with the platform's own tools",
  },
  DeployStep: {
    meaning: 'a step of deploying a machine failed without a code of its own',
    hint: 'the message names the plugin, the step and the machine',
  },
  HookFailed: {
    meaning: "a plugin's lifecycle hook failed without a code of its own",
    hint: 'the message names the plugin and the hook',
  },
  SshConnect: {
    meaning: 'the host could not be reached over SSH',
    hint: 'check that the host is up, the address and port are right, and sshd is running',
  },
  SshAuth: {
    meaning: 'the host refused the SSH key',
    hint: 'check that the key is authorized for the user',
  },
  SshHostKeyChanged: {
    meaning: 'the host presented another key than the pinned one; nothing was sent to it',
    hint: 'check the new key on the host itself, then `guix-ops ssh-keys reset`',
  },
  SshNoHostKey: {
    meaning: 'the machine has no pinned host key yet',
    hint: 'deploy the machine to pin it',
  },
  SshExec: {
    meaning: 'a command could not be run on the host',
    hint: 'the message names the command and the host',
  },
  SshTransfer: {
    meaning: 'a file could not be written or read on the host',
    hint: 'the message names the file and why (disk full, a directory there)',
  },
  SshSudo: {
    meaning: 'the SSH user is not root and cannot use sudo without a password',
    hint: 'log in as root, or allow the user passwordless sudo',
  },
  PluginManifest: {
    meaning: 'a plugin\'s "guix-ops" manifest in package.json is broken',
    hint: 'see docs/writing-a-platform.md for the manifest',
  },
  PluginApiVersion: {
    meaning: 'a plugin is built for another plugin API version',
    hint: 'install a version of the plugin made for this guix-ops',
  },
  PluginLoad: {
    meaning: "a plugin's module throws when imported",
    hint: "the plugin's own error is in the message",
  },
  PluginContract: {
    meaning: "a plugin's export does not satisfy the contract",
    hint: 'the message names the method or field at fault',
  },
  PluginConflict: {
    meaning: 'two packages provide the same platform or system',
    hint: 'uninstall or unlink one of them',
  },
  PluginInstall: {
    meaning: '`plugins install|link` failed',
    hint: "npm's own error is printed above it",
  },
  ScaffoldTarget: {
    meaning: '`platform:new`: the target directory is in use',
    hint: 'choose an empty or new directory',
  },
  KeySource: {
    meaning: "a deployment key's `file` cannot be read, or its `command` failed",
    hint: "the message names the machine and the key; a command's stderr is shown, never its output",
  },
  KeyOwner: {
    meaning: "a deployment key's owner or group does not exist on the host",
    hint: 'create the user first, or send the key with `uploadAt: post-activation`',
  },
  KeyUpload: {
    meaning: 'writing or removing a deployment key on the host failed',
    hint: 'the message names the machine, the key and the path',
  },
  KeyExists: {
    meaning: "a deployment key's path holds a file that guix-ops did not write",
    hint: 'choose another `destDir` or key name; guix-ops overwrites and removes only the keys it wrote',
  },
  Usage: {
    meaning: 'an unknown command, flag or argument, or a value a flag does not take',
    hint: 'see --help',
  },
  Internal: {
    meaning: 'an error guix-ops did not expect',
    hint: 'this is a bug in guix-ops; please report it with the command you ran',
  },
})

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode]

/** The warnings the core emits (`--json` prints their code on stderr); the command goes on. */
export const WarningCode = {
  StaleLock: 'W_STALE_LOCK',
  ForgotMachines: 'W_FORGOT_MACHINES',
  ForgotMachine: 'W_FORGOT_MACHINE',
  GenerationMismatch: 'W_GENERATION_MISMATCH',
  GenerationReconciled: 'W_GENERATION_RECONCILED',
} as const

/** Every warning above with what it means and what to do about it: what docs/errors.md lists. */
export const warningReference: readonly ErrorCodeDoc[] = describeErrorCodes('W_', WarningCode, {
  StaleLock: {
    meaning: 'the lock of a deployment was left by a command no longer running, and was taken over',
    hint: 'nothing to do; the warning names the command that left it',
  },
  ForgotMachines: {
    meaning: '`delete --force` forgot machines that still exist',
    hint: "remove them with their platform's own tools",
  },
  ForgotMachine: {
    meaning: '`destroy --forget` forgot a machine its platform cannot destroy',
    hint: "remove it with its platform's own tools",
  },
  GenerationMismatch: {
    meaning: 'the host has another generation in force than the state records, and the state could not follow it',
    hint: 'the warning says why; `check` again once the deployment is free',
  },
  GenerationReconciled: {
    meaning: 'the state now follows the generation in force on the host',
    hint: 'nothing to do; someone rolled the host back or forward by hand',
  },
})
