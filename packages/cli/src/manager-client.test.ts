import { transportReason } from './manager-client.js';

describe('transportReason', () => {
  it('keeps the cause of a refused connection', () => {
    const details = 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:7443. Resolution note: ';
    expect(transportReason(details)).toBe('connect ECONNREFUSED 127.0.0.1:7443');
  });

  it('keeps other details as they are', () => {
    expect(transportReason('Connection dropped')).toBe('Connection dropped');
  });

  it('names an empty reason', () => {
    expect(transportReason('')).toBe('unavailable');
  });
});
