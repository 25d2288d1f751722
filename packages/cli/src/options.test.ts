import { KilnError } from '@kiln/protocol';
import { checkHostPort, parseExecutionRef, parseGlobalOptions, parseIntegerOption } from './options.js';

function hintOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof KilnError) return `${error.message} | ${String(error.details.hint)}`;
    throw error;
  }
  throw new Error('expected a KilnError');
}

describe('parseGlobalOptions', () => {
  describe('when nothing is set', () => {
    it('uses the default address, text output and no token', () => {
      const options = parseGlobalOptions({}, {});
      expect(options).toEqual({ manager: '127.0.0.1:7443', managerSource: 'default', token: undefined, output: 'text' });
    });
  });

  describe('when flags and environment are both set', () => {
    it('prefers the flags', () => {
      const options = parseGlobalOptions(
        { manager: 'flag.example:1', token: 'from-flag', output: 'json' },
        { KILN_MANAGER: 'env.example:2', KILN_TOKEN: 'from-env' },
      );
      expect(options).toEqual({ manager: 'flag.example:1', managerSource: '--manager', token: 'from-flag', output: 'json' });
    });
  });

  describe('when only the environment is set', () => {
    it('reads KILN_MANAGER and KILN_TOKEN', () => {
      const options = parseGlobalOptions({}, { KILN_MANAGER: '[::1]:7443', KILN_TOKEN: 's3cret' });
      expect(options.manager).toBe('[::1]:7443');
      expect(options.managerSource).toBe('KILN_MANAGER');
      expect(options.token).toBe('s3cret');
    });

    it('treats an empty KILN_TOKEN as unset', () => {
      expect(parseGlobalOptions({}, { KILN_TOKEN: '' }).token).toBeUndefined();
    });
  });

  describe('when a value is invalid', () => {
    it('names the flag and the expected form for a bad --manager', () => {
      const message = hintOf(() => parseGlobalOptions({ manager: 'localhost' }, {}));
      expect(message).toContain("invalid manager address 'localhost' from --manager");
      expect(message).toContain('HOST:PORT');
    });

    it('names KILN_MANAGER when the bad address came from it', () => {
      expect(hintOf(() => parseGlobalOptions({}, { KILN_MANAGER: 'host:99999' }))).toContain('from KILN_MANAGER');
    });

    it('lists the formats for a bad --output', () => {
      const message = hintOf(() => parseGlobalOptions({ output: 'yaml' }, {}));
      expect(message).toContain("invalid --output 'yaml'");
      expect(message).toContain('--output json');
    });
  });
});

describe('checkHostPort', () => {
  it.each(['127.0.0.1:7443', 'manager.example:443', '[::1]:1', 'host-1:65535'])('accepts %s', (value) => {
    expect(() => checkHostPort(value, '--manager')).not.toThrow();
  });

  it.each(['127.0.0.1', ':7443', 'host:0', 'host:65536', 'http://host:1', 'host:port', '::1:7443'])('rejects %s', (value) => {
    expect(() => checkHostPort(value, '--manager')).toThrow(KilnError);
  });
});

describe('parseExecutionRef', () => {
  it('accepts an execution id', () => {
    expect(parseExecutionRef('01JABCDEF')).toBe('01JABCDEF');
  });

  it('accepts PIPELINE/SEQUENCE_ID', () => {
    expect(parseExecutionRef('CI_Quickstart/2')).toBe('CI_Quickstart/2');
  });

  it.each(['', 'CI_Quickstart/', 'CI_Quickstart/0', 'CI_Quickstart/x', '/2'])('rejects %j', (value) => {
    expect(() => parseExecutionRef(value)).toThrow(KilnError);
  });
});

describe('parseIntegerOption', () => {
  it('returns the number within bounds', () => {
    expect(parseIntegerOption('20', '--limit', 1, 1000)).toBe(20);
  });

  it.each(['0', '1001', '-1', '2.5', 'ten', ''])('rejects %j with the flag and range', (value) => {
    expect(hintOf(() => parseIntegerOption(value, '--limit', 1, 1000))).toContain('from 1 to 1000');
  });
});

describe('parseGlobalOptions TLS', () => {
  describe('when --tls is given alone', () => {
    it('verifies the manager with the system CA store', () => {
      const options = parseGlobalOptions({ tls: true }, {});
      expect(options.tls).toEqual({ caSource: 'the system CA store' });
    });
  });

  describe('when KILN_CA_FILE names a readable file', () => {
    it('reads it and names the variable as the CA source', () => {
      const options = parseGlobalOptions({}, { KILN_CA_FILE: '/etc/hostname' });
      expect(options.tls?.caSource).toBe('KILN_CA_FILE /etc/hostname');
      expect(options.tls?.ca).toBeInstanceOf(Buffer);
    });
  });

  describe('when --ca-file cannot be read', () => {
    it('names the flag and the path', () => {
      expect(hintOf(() => parseGlobalOptions({ caFile: '/no/such/ca.crt' }, {}))).toBe("cannot read --ca-file '/no/such/ca.crt' (ENOENT) | Give a readable PEM file to --ca-file.");
    });
  });

  describe('when --cert comes without --key', () => {
    it('rejects the flags', () => {
      expect(hintOf(() => parseGlobalOptions({ cert: '/etc/hostname' }, {}))).toContain('--cert and --key go together');
    });
  });
});
