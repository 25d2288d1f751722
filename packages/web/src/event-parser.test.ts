import { EventParser } from './event-stream.js';

describe('EventParser', () => {
  describe('when an event arrives in pieces', () => {
    it('returns it once the blank line arrives', () => {
      const parser = new EventParser();
      expect(parser.push('event: lines\nda')).toEqual([]);
      expect(parser.push('ta: [1,2]\n')).toEqual([]);
      expect(parser.push('\n')).toEqual([{ event: 'lines', data: '[1,2]' }]);
    });
  });

  describe('when a chunk holds several events and comments', () => {
    it('returns every event in order and skips the comments', () => {
      const parser = new EventParser();
      const events = parser.push(': keep-alive\n\nevent: a\ndata: 1\n\nevent: b\r\ndata: x\r\ndata: y\r\n\r\n');
      expect(events).toEqual([
        { event: 'a', data: '1' },
        { event: 'b', data: 'x\ny' },
      ]);
    });
  });
});
