import { REGISTRATION_ANNOTATION, RegistrationIntent } from './registration-intent';

/** The annotations attestgate's constructs put on the objects they write: the declaration, as JSON. */
export function registrationAnnotations(intent: RegistrationIntent): Record<string, string> {
  return { [REGISTRATION_ANNOTATION]: JSON.stringify(intent) };
}
