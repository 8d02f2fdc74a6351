import { compileValidator } from './validator-store';
import { takeErrors } from './ajv';
import { describeErrors } from './describe-errors';

test('a failed validator gives its errors up: it keeps neither them nor the megabyte they point at', () => {
  const validate = compileValidator('json', { type: 'object', properties: { model: { type: 'string', maxLength: 256 } } }, undefined, 'take-errors.test');
  const huge = 'x'.repeat(1_000_000);
  expect(validate({ model: huge })).toBe(false);
  // Ajv leaves the errors (verbose: with the data) on the function until its next call.
  expect(validate.errors?.[0]?.data).toBe(huge);
  const errors = takeErrors(validate);
  expect(validate.errors).toBeNull();
  expect(describeErrors(errors, { model: huge }).param).toBe('model');
  // Nothing to take from a validator that passed.
  expect(validate({ model: 'gpt-4o' })).toBe(true);
  expect(takeErrors(validate)).toEqual([]);
});
