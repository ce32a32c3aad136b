import type { Command } from 'commander';
import { cliKeySource, createKeyFile, defaultKeyFile, loadSigningKey } from '../../client/signing-key-file';
import { publicKeyLine } from '../../domain/signing-key';
import { ValidationError } from '../../domain/validation-error';
import { cliPrincipal, settingsWithoutConfig } from '../settings';

/**
 * `secops keys init | show`: the key this person's ballots are signed with. The private
 * key stays in its file (0600); the public key goes into the config next to the approver.
 */
/** Beside the rest of `secops dev`'s state; never committed (.secops is ignored). */
const SLACK_APP_KEY_FILE = '.secops/slack-ballot-key.pem';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('your ballot-signing key: approvals you vote on from the CLI are signed with it');
  keys
    .command('init')
    .description('create a new Ed25519 ballot key (mode 0600) and print its public key for the config')
    .option('--file <path>', 'where to write it (default: SECOPS_BALLOT_KEY_FILE, else ~/.config/secops/ballot-key.pem)')
    .option('--slack-app', `the Slack app's key instead (default file ${SLACK_APP_KEY_FILE}; the app reads SECOPS_SLACK_BALLOT_KEY_FILE)`)
    .action((options: { file?: string; slackApp?: boolean }) => {
      const env = settingsWithoutConfig();
      if (options.slackApp) {
        const file = options.file ?? env.SECOPS_SLACK_BALLOT_KEY_FILE ?? SLACK_APP_KEY_FILE;
        const key = createKeyFile(file);
        console.log(`wrote ${file} (mode 0600); key id ${key.keyId}`);
        console.log(`start the Slack app with SECOPS_SLACK_BALLOT_KEY_FILE=${file}, and put this in the config:`);
        console.log(`  slackApp: { publicKey: "${publicKeyLine(key.publicKey, 'secops:slack-app')}" }`);
        return;
      }
      const file = options.file ?? env.SECOPS_BALLOT_KEY_FILE ?? defaultKeyFile();
      const key = createKeyFile(file);
      const name = cliPrincipal(env).slice('cli:'.length);
      console.log(`wrote ${file} (mode 0600); key id ${key.keyId}`);
      console.log('add this to the approvers that should accept your votes:');
      console.log(`  cliUsers: [{ name: ${name}, publicKey: "${publicKeyLine(key.publicKey, `secops:${name}`)}" }]`);
    });
  keys
    .command('show')
    .description('print the public key and key id of your ballot key (an OpenSSH ed25519 key works too)')
    .action(() => {
      const env = settingsWithoutConfig();
      const key = loadSigningKey(cliKeySource(env), defaultKeyFile());
      if (!key) throw new ValidationError('secops keys show', [{ path: 'SECOPS_BALLOT_KEY_FILE', message: `no ballot key: none at ${defaultKeyFile()}; run \`secops keys init\`` }]);
      console.log(publicKeyLine(key.publicKey, `secops:${cliPrincipal(env).slice(4)}`));
      console.log(`key id ${key.keyId}`);
    });
}
