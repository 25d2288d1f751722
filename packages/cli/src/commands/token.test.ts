import * as grpc from '@grpc/grpc-js';
import { KilnError, toServiceError, type wire } from '@kiln/protocol';
import { runCli } from '../cli.js';
import { MemoryOutput } from '../output.js';
import { startFakeManager, type FakeManager } from '../testing/fake-manager.js';
import { T0 } from '../testing/fixtures.js';

type Unary<Request, Response> = (call: grpc.ServerUnaryCall<Request, Response>, callback: grpc.sendUnaryData<Response>) => void;

const TOKEN = 'cli-test-token';
const SECRET = `kiln_api_0123456789abcdef${'S'.repeat(43)}`;

function tokenInfo(overrides: Partial<wire.TokenInfo__Output> = {}): wire.TokenInfo__Output {
  return { id: '0123456789abcdef', name: 'ci', kind: 'api', role: 'runner', created_at_ms: T0, expires_at_ms: 0, revoked_at_ms: 0, last_used_at_ms: 0, ...overrides };
}

async function kiln(manager: FakeManager, args: string[]) {
  const output = new MemoryOutput();
  const code = await runCli(['--manager', manager.address, ...args], { env: { KILN_TOKEN: TOKEN }, output, now: () => T0 + 60_000 });
  return { code, stdout: output.stdout, stderr: output.stderr };
}

describe('kiln token and kiln audit', () => {
  let manager: FakeManager | undefined;

  afterEach(async () => {
    await manager?.close();
    manager = undefined;
  });

  describe('kiln token create', () => {
    it('sends kind, role, name and lifetime and prints the token once', async () => {
      const expires = T0 + 30 * 86_400_000;
      manager = await startFakeManager({
        CreateToken: ((_call, callback) => callback(null, { token: tokenInfo({ expires_at_ms: expires }), secret: SECRET })) as Unary<wire.CreateTokenRequest__Output, wire.CreateTokenResponse>,
      });
      const result = await kiln(manager, ['token', 'create', '--kind', 'api', '--role', 'runner', '--name', 'ci', '--expires', '30d']);
      expect(result.code).toBe(0);
      expect(manager.calls[0]?.request).toEqual({ kind: 'api', role: 'runner', name: 'ci', expires_in_ms: 30 * 86_400_000 });
      expect(result.stdout).toEqual([
        'Created api token 0123456789abcdef, role runner, expires 2025-02-01 03:04:05Z. Store it now: the manager cannot show it again.',
        SECRET,
      ]);
    });

    it('gives an API token the viewer role and no expiry by default', async () => {
      manager = await startFakeManager({
        CreateToken: ((_call, callback) => callback(null, { token: tokenInfo({ role: 'viewer' }), secret: SECRET })) as Unary<wire.CreateTokenRequest__Output, wire.CreateTokenResponse>,
      });
      await kiln(manager, ['token', 'create', '--kind', 'api']);
      expect(manager.calls[0]?.request).toMatchObject({ kind: 'api', role: 'viewer', name: '', expires_in_ms: 0 });
    });

    it.each([
      [['--kind', 'robot'], /invalid --kind 'robot'/],
      [['--kind', 'api', '--role', 'owner'], /invalid --role 'owner'/],
      [['--kind', 'delegate', '--role', 'admin'], /--role is given with --kind delegate/],
      [['--kind', 'api', '--expires', 'soon'], /invalid --expires 'soon'/],
    ])('rejects %j before calling the manager', async (flags, message) => {
      manager = await startFakeManager({});
      const result = await kiln(manager, ['token', 'create', ...flags]);
      expect(result.code).toBe(1);
      expect(result.stderr.join('\n')).toMatch(message);
      expect(manager.calls).toHaveLength(0);
    });
  });

  describe('kiln token list', () => {
    it('prints id, name, kind, role, created, expires, revoked and last use', async () => {
      manager = await startFakeManager({
        ListTokens: ((_call, callback) => callback(null, {
          tokens: [tokenInfo(), tokenInfo({ id: 'fedcba9876543210', name: '', kind: 'delegate', role: '', revoked_at_ms: T0 + 1000, last_used_at_ms: T0 + 500 })],
        })) as Unary<unknown, wire.ListTokensResponse>,
      });
      const result = await kiln(manager, ['token', 'list']);
      expect(result.code).toBe(0);
      expect(result.stdout[0]).toMatch(/^ID\s+NAME\s+KIND\s+ROLE\s+CREATED\s+EXPIRES\s+REVOKED\s+LAST USED$/);
      expect(result.stdout[1]).toMatch(/^0123456789abcdef\s+ci\s+api\s+runner\s+2025-01-02 03:04:05Z\s+never\s+-\s+never$/);
      expect(result.stdout[2]).toMatch(/^fedcba9876543210\s+-\s+delegate\s+-\s+2025-01-02 03:04:05Z\s+never\s+2025-01-02 03:04:06Z\s+2025-01-02 03:04:05Z$/);
    });
  });

  describe('kiln token revoke', () => {
    it('sends the id and prints when the token was revoked', async () => {
      manager = await startFakeManager({
        RevokeToken: ((_call, callback) => callback(null, tokenInfo({ revoked_at_ms: T0 }))) as Unary<wire.RevokeTokenRequest__Output, wire.TokenInfo>,
      });
      const result = await kiln(manager, ['token', 'revoke', '0123456789abcdef']);
      expect(manager.calls[0]?.request).toEqual({ id: '0123456789abcdef' });
      expect(result.stdout).toEqual(['Revoked api token 0123456789abcdef (ci) at 2025-01-02 03:04:05Z']);
    });

    it('reports the role the manager denied', async () => {
      manager = await startFakeManager({
        RevokeToken: ((_call, callback) => callback(toServiceError(new KilnError('PERMISSION_DENIED', 'role viewer of token abc (ui) may not perform token.revoke: it needs the admin role')), null)) as Unary<wire.RevokeTokenRequest__Output, wire.TokenInfo>,
      });
      const result = await kiln(manager, ['token', 'revoke', '0123456789abcdef']);
      expect(result.code).toBe(1);
      expect(result.stderr.join('\n')).toMatch(/role viewer of token abc \(ui\) may not perform token\.revoke/);
    });
  });

  describe('kiln audit', () => {
    it('sends the limit and prints who did what, when and from where', async () => {
      manager = await startFakeManager({
        ListAudit: ((_call, callback) => callback(null, {
          records: [
            { id: 2, at_ms: T0, token_id: '0123456789abcdef', token_name: 'ci', operation: 'run', target: 'execution e1 (app/3)', peer: 'ipv4:127.0.0.1:5000' },
            { id: 1, at_ms: T0 - 1000, token_id: 'env', token_name: 'KILN_API_TOKEN', operation: 'token.create', target: 'api token 0123456789abcdef (ci, role runner)', peer: '127.0.0.1' },
          ],
        })) as Unary<wire.ListAuditRequest__Output, wire.ListAuditResponse>,
      });
      const result = await kiln(manager, ['audit', '--limit', '5']);
      expect(result.code).toBe(0);
      expect(manager.calls[0]?.request).toEqual({ limit: 5 });
      expect(result.stdout[0]).toMatch(/^WHEN\s+WHO\s+OPERATION\s+TARGET\s+PEER$/);
      expect(result.stdout[1]).toMatch(/^2025-01-02 03:04:05Z\s+0123456789abcdef \(ci\)\s+run\s+execution e1 \(app\/3\)\s+ipv4:127\.0\.0\.1:5000$/);
      expect(result.stdout[2]).toMatch(/^2025-01-02 03:04:04Z\s+env\s+token\.create\s+api token/);
    });

    it('rejects a limit out of range before calling the manager', async () => {
      manager = await startFakeManager({});
      const result = await kiln(manager, ['audit', '--limit', '0']);
      expect(result.code).toBe(1);
      expect(manager.calls).toHaveLength(0);
    });
  });
});
