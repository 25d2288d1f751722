import { collapseCarriageReturns } from './log-text.js';

describe('collapseCarriageReturns', () => {
  it.each([
    ['no carriage return', 'plain', 'plain'],
    ['progress redraws', 'Copying 10%\rCopying 55%\rCopying 100%', 'Copying 100%'],
    ['CRLF line end', 'windows line\r', 'windows line'],
    ['redraw then CRLF', '10%\r100%\r\r', '100%'],
  ])('handles %s', (_case, input, expected) => {
    expect(collapseCarriageReturns(input)).toBe(expected);
  });
});
