import { parseAnsi, stripAnsi } from './ansi.js';

describe('parseAnsi', () => {
  describe('when a line has no escape sequences', () => {
    it('returns one plain segment', () => {
      expect(parseAnsi('plain text')).toEqual([{ text: 'plain text', classes: [] }]);
    });
  });

  describe('when a line sets and resets colours', () => {
    it('splits it into styled segments', () => {
      expect(parseAnsi('\u001b[1;32mok\u001b[0m then \u001b[31merror\u001b[39m')).toEqual([
        { text: 'ok', classes: ['ansi-bold', 'ansi-fg-2'] },
        { text: ' then ', classes: [] },
        { text: 'error', classes: ['ansi-fg-1'] },
      ]);
    });

    it('maps bright colours to palette entries 8 to 15', () => {
      expect(parseAnsi('\u001b[94;101mx')).toEqual([{ text: 'x', classes: ['ansi-fg-12', 'ansi-bg-9'] }]);
    });
  });

  describe('when a line uses 256 and 24-bit colours', () => {
    it('returns CSS colours', () => {
      expect(parseAnsi('\u001b[38;5;196ma\u001b[38;2;1;2;3mb\u001b[48;5;3mc')).toEqual([
        { text: 'a', classes: [], fg: 'rgb(255,0,0)' },
        { text: 'b', classes: [], fg: 'rgb(1,2,3)' },
        { text: 'c', classes: ['ansi-bg-3'], fg: 'rgb(1,2,3)' },
      ]);
    });
  });

  describe('when a line has cursor and title sequences', () => {
    it('drops them', () => {
      expect(stripAnsi('\u001b[2K\u001b]0;title\u0007\u001b[1Gdone')).toBe('done');
    });
  });
});
