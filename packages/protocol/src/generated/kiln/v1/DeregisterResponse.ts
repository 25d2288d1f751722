// Original file: ../../proto/kiln/v1/delegate.proto


export interface DeregisterResponse {
}

export interface DeregisterResponse__Output {
}
