// The domain's errors: services throw these, and the one mapper in http/api-errors.ts turns them into status codes.

export abstract class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFound extends DomainError {}

export class Conflict extends DomainError {}

/** The caller is known but their role or ownership does not allow the action. */
export class Forbidden extends DomainError {}

/** The request breaks a rule of the domain; `details` lists each problem for the client. */
export class Invalid extends DomainError {
  constructor(
    message: string,
    readonly details?: string[],
  ) {
    super(message);
  }
}

/** The caller could not be identified: no, wrong, expired or revoked credentials. */
export class Unauthorized extends DomainError {}

export class TooManyAttempts extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many failed sign-in attempts; try again later',
  ) {
    super(message);
  }
}

/** The server is saturated for now (e.g. too many password checks queued); the client may retry after the given wait. */
export class Busy extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'The server is busy; try again in a moment',
  ) {
    super(message);
  }
}

/** The request is well formed but its values break a rule of the record (a refund above what was paid): HTTP 422. */
export class Unprocessable extends DomainError {
  constructor(
    message: string,
    readonly details?: string[],
  ) {
    super(message);
  }
}
