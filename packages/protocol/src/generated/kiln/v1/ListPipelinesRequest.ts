// Original file: ../../proto/kiln/v1/manager.proto


export interface ListPipelinesRequest {
}

export interface ListPipelinesRequest__Output {
}
