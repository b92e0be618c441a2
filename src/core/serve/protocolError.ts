/** A request the protocol answers with an error status and `{"error": message}`. */
export class ProtocolError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export const badRequest = (message: string) => new ProtocolError(400, message);
