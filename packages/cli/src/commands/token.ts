import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { usageError } from '../errors.js';
import { formatTokenTable } from '../format/tokens.js';
import { formatTimestamp } from '../format/time.js';
import { parseDurationOption } from '../options.js';

const KINDS = ['api', 'delegate'];
const ROLES = ['admin', 'runner', 'viewer'];

interface CreateOptions {
  kind: string;
  role?: string;
  name?: string;
  expires?: string;
}

/** Validates the flags of `kiln token create` into a CreateTokenRequest. */
function createRequest(options: CreateOptions): { kind: string; role: string; name: string; expires_in_ms: number } {
  if (!KINDS.includes(options.kind)) throw usageError(`invalid --kind '${options.kind}'`, `Use one of: ${KINDS.join(', ')}.`);
  if (options.role !== undefined && !ROLES.includes(options.role)) throw usageError(`invalid --role '${options.role}'`, `Use one of: ${ROLES.join(', ')}.`);
  if (options.role !== undefined && options.kind === 'delegate') throw usageError('--role is given with --kind delegate', 'Delegate tokens have no role; give --role only with --kind api.');
  const expiresInMs = options.expires === undefined ? 0 : parseDurationOption(options.expires, '--expires');
  return { kind: options.kind, role: options.role ?? (options.kind === 'api' ? 'viewer' : ''), name: options.name ?? '', expires_in_ms: expiresInMs };
}

/**
 * Registers `kiln token create|list|revoke`: stored API and delegate tokens.
 * The manager allows them only to admin tokens, such as KILN_API_TOKEN.
 */
export function registerTokenCommand(program: Command, context: CommandContext): void {
  const token = program.command('token').description('create, list and revoke stored API and delegate tokens (admin role)');

  token
    .command('create')
    .description('create a token and print it once; the manager keeps only its hash')
    .requiredOption('--kind <KIND>', 'api (for the CLI and web UI) or delegate (for delegates to register with)')
    .option('--role <ROLE>', 'role of an API token: admin, runner or viewer (default viewer)')
    .option('--name <NAME>', 'name shown in `kiln token list` and the audit')
    .option('--expires <DURATION>', 'lifetime, e.g. 12h or 30d (default: never expires)')
    .action(async (options: CreateOptions) => {
      const response = await context.manager().createToken(createRequest(options));
      if (context.format === 'json') {
        context.output.json(response);
        return;
      }
      const info = response.token;
      const role = info?.role ? `, role ${info.role}` : '';
      const expires = info && info.expires_at_ms > 0 ? `, expires ${formatTimestamp(info.expires_at_ms)}` : '';
      context.output.line(`Created ${info?.kind ?? options.kind} token ${info?.id ?? ''}${role}${expires}. Store it now: the manager cannot show it again.`);
      context.output.line(response.secret);
    });

  token
    .command('list')
    .description('list stored tokens: id, name, kind, role, created, expires, revoked and last use (never the token)')
    .action(async () => {
      const response = await context.manager().listTokens();
      if (context.format === 'json') context.output.json(response);
      else for (const line of formatTokenTable(response.tokens)) context.output.line(line);
    });

  token
    .command('revoke')
    .description('revoke a token: API calls with it fail, and delegates registered with it lose their session at their next call')
    .argument('<ID>', 'token id, as `kiln token list` shows it')
    .action(async (id: string) => {
      const info = await context.manager().revokeToken(id.trim());
      if (context.format === 'json') context.output.json(info);
      else context.output.line(`Revoked ${info.kind} token ${info.id}${info.name ? ` (${info.name})` : ''} at ${formatTimestamp(info.revoked_at_ms)}`);
    });
}
