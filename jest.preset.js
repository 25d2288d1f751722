/** Shared jest settings: TypeScript through ts-jest in ESM mode. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      { useESM: true, tsconfig: { isolatedModules: true, module: 'NodeNext', moduleResolution: 'NodeNext' } },
    ],
  },
  testMatch: ['**/src/**/*.test.ts', '**/e2e/**/*.test.ts'],
  testTimeout: 120000,
};
