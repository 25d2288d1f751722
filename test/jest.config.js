import preset from '../jest.preset.js';

export default { ...preset, testMatch: ['**/e2e/**/*.test.ts'] };
