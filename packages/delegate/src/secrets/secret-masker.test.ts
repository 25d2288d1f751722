import { MASK, SecretMasker } from './secret-masker.js';

describe('SecretMasker', () => {
  it('masks every occurrence of a value', () => {
    const masker = new SecretMasker();
    masker.add('s3cret');
    expect(masker.mask('password=s3cret and again s3cret')).toBe(`password=${MASK} and again ${MASK}`);
  });

  it('masks each line of a multi-line value', () => {
    const masker = new SecretMasker();
    masker.add('-----BEGIN KEY-----\n  abcdef123456\n-----END KEY-----\n');
    expect(masker.mask('line: abcdef123456')).toBe(`line: ${MASK}`);
    expect(masker.mask('-----END KEY-----')).toBe(MASK);
  });

  it('masks the longer of two overlapping values whole', () => {
    const masker = new SecretMasker();
    masker.add('abc');
    masker.add('abcdef');
    expect(masker.mask('x abcdef y')).toBe(`x ${MASK} y`);
  });

  it('ignores empty and blank values', () => {
    const masker = new SecretMasker();
    masker.add('');
    masker.add('  ');
    expect(masker.size).toBe(0);
    expect(masker.mask('text')).toBe('text');
  });

  it('leaves text without secrets unchanged', () => {
    const masker = new SecretMasker();
    masker.add('hunter2');
    expect(masker.mask('nothing here')).toBe('nothing here');
  });
});

describe('SecretMasker base64 forms', () => {
  it('masks the base64 encoding of a value', () => {
    const masker = new SecretMasker();
    masker.add('correct horse battery');
    expect(masker.mask(Buffer.from('correct horse battery').toString('base64'))).toBe(MASK);
  });

  it.each(['k:', 'ki:', 'kil:'])('masks the value inside base64 of "%s" + value', (prefix) => {
    const masker = new SecretMasker();
    const password = 'Zq8-password-0123';
    masker.add(password);
    const encoded = Buffer.from(`${prefix}${password}`).toString('base64');
    expect(masker.mask(`"auth": "${encoded}"`)).toContain(MASK);
    expect(masker.mask(`"auth": "${encoded}"`)).not.toContain(encoded.slice(4, 16));
  });
});
