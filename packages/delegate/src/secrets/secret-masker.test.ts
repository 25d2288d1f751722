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
