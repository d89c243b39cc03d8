// Guards for route parameters shared by the staff API's routers.
import type { RequestHandler } from 'express';

/** Lets a non-numeric `:id` fall through to later routes (and so to 404) instead of matching here. */
export const numericId: RequestHandler = (req, _res, next) => (/^\d{1,9}$/.test(String(req.params.id)) ? next() : next('route'));
