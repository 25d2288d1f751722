// Original file: ../../proto/kiln/v1/manager.proto


export interface ListDelegatesRequest {
}

export interface ListDelegatesRequest__Output {
}
