import { startDelegate, type Delegate, type DelegateOptions } from './kiln.js';

export interface ConfiguredDelegateOptions extends Omit<DelegateOptions, 'tags'> {
  tags: string[];
}

/** Starts a delegate of capacity 1 (unless set) whose config may carry extra sections, such as registries or a builder. */
export function startConfiguredDelegate(dir: string, options: ConfiguredDelegateOptions): Promise<Delegate> {
  return startDelegate(dir, { capacity: 1, ...options });
}
