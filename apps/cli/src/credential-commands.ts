/* `outcomes token` and `outcomes apikey …`: credentials for people and for systems. */
import { Command } from 'commander';
import { Role, listApiKeys } from '@app/security';
import { onLedger, out } from './command-support';
import { apiKey, duration, revoke, role, token } from './credentials';
import { renderTable } from './tables';

export function addCredentialCommands(program: Command): void {
  program
    .command('token')
    .description(
      "print a signed bearer token for a role and authority (send it as 'Authorization: Bearer <token>'); only the token is printed",
    )
    .requiredOption('--role <role>', 'keyworker, manager, evaluator, data_manager or admin', role)
    .requiredOption(
      '--authority <code>',
      "the authority the caller works for, or 'national' (evaluator and admin only)",
    )
    .option('--subject <id>', 'who the token is for: a staff or system id, never a name')
    .option('--expires-in <time>', 'lifetime: seconds, or 15m, 2h (at most 12h)', duration, 900)
    .action((o: { role: Role; authority: string; subject?: string; expiresIn: number }) => {
      try {
        out(`${token(o)}\n`);
      } catch (e) {
        program.error(`token: ${e instanceof Error ? e.message : String(e)}`, { exitCode: 2 });
      }
    });

  const apikey = program.command('apikey').description('API keys for systems (X-Api-Key)');
  apikey
    .command('create')
    .description('create a key for a system and print it once (only its SHA-256 is stored)')
    .requiredOption('--role <role>', 'keyworker, manager, evaluator, data_manager or admin', role)
    .requiredOption('--authority <code>', "the system's authority, or 'national'")
    .requiredOption('--label <text>', 'what the key is for, e.g. "case-system nightly sync"')
    .action(async (o: { role: Role; authority: string; label: string }) => {
      const created = await onLedger(async (ledger) => {
        try {
          return await apiKey(ledger.db, o);
        } catch (e) {
          if (e instanceof RangeError) program.error(`apikey: ${e.message}`, { exitCode: 2 });
          throw e;
        }
      });
      process.stderr.write(`key id ${created.id} (keep the key below: it is not shown again)\n`);
      out(`${created.key}\n`);
    });
  apikey
    .command('list')
    .description(
      'every key: id, role, authority, label, created, and revoked (or live); never the key',
    )
    .action(async () => {
      const keys = await onLedger((ledger) => listApiKeys(ledger.db));
      out(
        renderTable(
          ['id', 'role', 'authority', 'label', 'created', 'revoked'],
          keys.map((k) => [
            k.id,
            k.role,
            k.authority ?? 'national',
            k.label,
            k.createdAt,
            k.revokedAt ?? 'live',
          ]),
        ) + '\n',
      );
    });
  apikey
    .command('revoke')
    .description('stop a key working (by its id)')
    .argument('<id>', 'the key id printed by apikey create')
    .action(async (id: string) => {
      if (!/^[0-9a-f-]{36}$/i.test(id)) program.error('apikey: the id is a UUID', { exitCode: 2 });
      const revoked = await onLedger((ledger) => revoke(ledger.db, id));
      out(revoked ? `revoked ${id}\n` : `no live key ${id}\n`);
      if (!revoked) process.exitCode = 1;
    });
}
