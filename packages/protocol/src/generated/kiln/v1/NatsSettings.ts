// Original file: ../../proto/kiln/v1/delegate.proto


export interface NatsSettings {
  'servers'?: (string);
}

export interface NatsSettings__Output {
  'servers': (string);
}
