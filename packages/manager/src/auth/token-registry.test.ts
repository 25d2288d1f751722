import { createSchedulerFixture, type SchedulerFixture } from '../testing/fixtures.js';
import { TokenRegistry } from './token-registry.js';
import { generateToken, parseToken, verifyToken } from './token-secret.js';

describe('token secrets', () => {
  it('formats a token as kiln_<kind>_ followed by its hex id and a base64url secret', async () => {
    const generated = await generateToken('api');
    expect(generated.token).toMatch(/^kiln_api_[0-9a-f]{16}[A-Za-z0-9_-]{43}$/);
    expect(parseToken(generated.token)).toEqual({ kind: 'api', id: generated.id });
  });

  it('stores a salted hash that differs per token and never contains the token', async () => {
    const first = await generateToken('delegate');
    const second = await generateToken('delegate');
    expect(first.salt).not.toBe(second.salt);
    expect(first.hash).not.toContain(first.token);
    expect(await verifyToken(first.token, first.salt, first.hash)).toBe(true);
    expect(await verifyToken(`${first.token}x`, first.salt, first.hash)).toBe(false);
    expect(await verifyToken(first.token, second.salt, first.hash)).toBe(false);
  });

  it('does not parse tokens of another form', () => {
    expect(parseToken('api-secret')).toBeUndefined();
    expect(parseToken('kiln_other_0123456789abcdefAAAA')).toBeUndefined();
    expect(parseToken('kiln_api_0123')).toBeUndefined();
  });
});

describe('TokenRegistry', () => {
  let fixture: SchedulerFixture;
  let tokens: TokenRegistry;

  beforeEach(() => {
    fixture = createSchedulerFixture();
    tokens = new TokenRegistry({ transact: (work) => fixture.scheduler.transact(work), clock: () => fixture.now.value });
  });

  afterEach(async () => {
    await fixture.close();
  });

  describe('when a token is created', () => {
    it('stores only the salted hash and finds the token by the id it carries', async () => {
      const { record, token } = await tokens.create({ kind: 'api', role: 'runner', name: 'ci', expiresInMs: undefined });
      const stored = await fixture.store.getToken(record.id);
      expect(stored).toMatchObject({ id: record.id, name: 'ci', kind: 'api', role: 'runner', createdAt: fixture.now.value, expiresAt: undefined });
      expect(JSON.stringify(stored)).not.toContain(token.slice(`kiln_api_${record.id}`.length));
      expect((await tokens.verify(token, 'api'))?.id).toBe(record.id);
    });

    it('gives an API token without a role the viewer role and a delegate token none', async () => {
      expect((await tokens.create({ kind: 'api', role: undefined, name: '', expiresInMs: undefined })).record.role).toBe('viewer');
      expect((await tokens.create({ kind: 'delegate', role: undefined, name: '', expiresInMs: undefined })).record.role).toBeUndefined();
    });

    it('records when the token was last used', async () => {
      const { record, token } = await tokens.create({ kind: 'api', role: 'viewer', name: 'ui', expiresInMs: undefined });
      fixture.now.value += 5_000;
      await tokens.verify(token, 'api');
      expect((await fixture.store.getToken(record.id))?.lastUsedAt).toBe(fixture.now.value);
    });
  });

  describe('when a presented token does not match', () => {
    it('returns undefined for a token that is not in the stored form, so the env token can be tried', async () => {
      expect(await tokens.verify('api-secret', 'api')).toBeUndefined();
    });

    it('rejects a token of the other kind as not stored', async () => {
      const { token } = await tokens.create({ kind: 'delegate', role: undefined, name: 'd', expiresInMs: undefined });
      expect(await tokens.verify(token, 'api')).toBeUndefined();
    });

    it('rejects an unknown id and a wrong secret with UNAUTHENTICATED', async () => {
      const { record, token } = await tokens.create({ kind: 'api', role: 'admin', name: 'a', expiresInMs: undefined });
      await expect(tokens.verify(`kiln_api_ffffffffffffffff${'A'.repeat(43)}`, 'api')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      const wrongSecret = `kiln_api_${record.id}${'B'.repeat(43)}`;
      await expect(tokens.verify(wrongSecret, 'api')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      // A verified token is cached; the cache must not let another secret for the same id pass.
      await tokens.verify(token, 'api');
      await expect(tokens.verify(wrongSecret, 'api')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });
  });

  describe('when a token expires', () => {
    it('accepts it until its expiry and rejects it from then on', async () => {
      const { token } = await tokens.create({ kind: 'api', role: 'viewer', name: 'short', expiresInMs: 60_000 });
      fixture.now.value += 59_999;
      await expect(tokens.verify(token, 'api')).resolves.toBeDefined();
      fixture.now.value += 1;
      await expect(tokens.verify(token, 'api')).rejects.toThrow(/api token [0-9a-f]{16} \(short\) expired at/);
    });
  });

  describe('when a token is revoked', () => {
    it('rejects it afterwards, even though it was verified and cached before', async () => {
      const { record, token } = await tokens.create({ kind: 'delegate', role: undefined, name: 'builders', expiresInMs: undefined });
      await tokens.verify(token, 'delegate');
      const revoked = await tokens.revoke(record.id);
      expect(revoked.revokedAt).toBe(fixture.now.value);
      await expect(tokens.verify(token, 'delegate')).rejects.toThrow(/is revoked/);
      expect((await tokens.list()).map((listed) => listed.revokedAt)).toEqual([fixture.now.value]);
    });

    it('keeps the first revocation time when revoked twice', async () => {
      const { record } = await tokens.create({ kind: 'api', role: 'viewer', name: '', expiresInMs: undefined });
      const first = await tokens.revoke(record.id);
      fixture.now.value += 1_000;
      expect((await tokens.revoke(record.id)).revokedAt).toBe(first.revokedAt);
    });

    it('rejects an unknown id with NOT_FOUND', async () => {
      await expect(tokens.revoke('0000000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
});
