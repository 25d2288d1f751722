import { stageDecision } from './execution-progress.js';

describe('stageDecision', () => {
  it.each([
    [undefined, false, 'run'],
    [undefined, true, 'skip'],
    [{ pipelineStatus: 'Success' as const }, true, 'skip'],
    [{ pipelineStatus: 'Failure' as const }, false, 'skip'],
    [{ pipelineStatus: 'Failure' as const }, true, 'run'],
    [{ pipelineStatus: 'All' as const }, true, 'run'],
    [{ pipelineStatus: 'All' as const }, false, 'run'],
    [{ pipelineStatus: 'Success' as const, condition: 'false' }, false, 'skip'],
    [{ pipelineStatus: 'Success' as const, condition: 'true' }, false, 'run'],
    [{ pipelineStatus: 'Success' as const, condition: '<+secrets.getValue("x")> == "y"' }, false, 'run'],
  ])('when %j and an earlier stage failed is %s, it decides %s', (when, earlierFailed, expected) => {
    expect(stageDecision(when, earlierFailed)).toBe(expected);
  });
});
