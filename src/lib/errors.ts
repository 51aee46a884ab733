/** The small vocabulary of errors a route may throw; the error handler renders each as a German page. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly messageKey: string,
  ) {
    super(messageKey)
  }
}

export const badRequest = (key = 'error.badRequest') => new HttpError(400, key)
export const forbidden = (key = 'error.forbidden') => new HttpError(403, key)
export const notFound = (key = 'error.notFound') => new HttpError(404, key)
export const conflict = (key = 'error.conflict') => new HttpError(409, key)
