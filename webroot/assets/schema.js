// Ready JSON schemas for structured output, and the page's own check of an answer against a schema.
// The check covers the keywords structured-output schemas use (type, enum, const, properties, required,
// additionalProperties, items, bounds, lengths, pattern, anyOf/oneOf/allOf, local $ref); the relay checks
// the same answer with a complete validator and the page shows both verdicts. Messages follow the
// relay's wording, "<JSON path>: <problem>", so the two lists can be compared line by line.

export const PRESETS = {
  weather: {
    label: 'Weather',
    prompt: 'What is the weather in Oslo today, and the forecast for the next three days?',
    schema: {
      type: 'object',
      properties: {
        location: { type: 'string', description: 'City and country' },
        temperature: { type: 'number', description: 'Current temperature' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        conditions: { type: 'string', description: 'For example: sunny, light rain' },
        humidity: { type: 'integer', minimum: 0, maximum: 100, description: 'Relative humidity in percent' },
        forecast: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              day: { type: 'string' },
              high: { type: 'number' },
              low: { type: 'number' },
              conditions: { type: 'string' },
            },
            required: ['day', 'high', 'low', 'conditions'],
            additionalProperties: false,
          },
        },
      },
      required: ['location', 'temperature', 'unit', 'conditions', 'humidity', 'forecast'],
      additionalProperties: false,
    },
  },
  analysis: {
    label: 'Text analysis',
    prompt: 'Analyse this review: "The battery lasts for days and the screen is gorgeous, but the app crashes '
      + 'every morning."',
    schema: {
      type: 'object',
      properties: {
        summary: { type: 'string', description: 'One sentence' },
        sentiment: { type: 'string', enum: ['positive', 'neutral', 'negative', 'mixed'] },
        confidence: { type: 'number', minimum: 0, maximum: 1 },
        language: { type: 'string', description: 'ISO 639-1 code, e.g. en' },
        keywords: { type: 'array', items: { type: 'string' }, maxItems: 10 },
        entities: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              kind: { type: 'string', enum: ['person', 'organization', 'place', 'product', 'other'] },
            },
            required: ['name', 'kind'],
            additionalProperties: false,
          },
        },
      },
      required: ['summary', 'sentiment', 'confidence', 'language', 'keywords', 'entities'],
      additionalProperties: false,
    },
  },
};

function typeOf(value) {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'array';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? 'integer' : 'number';
  }
  return typeof value;
}

function typeMatches(expected, actual) {
  return expected === actual || (expected === 'number' && actual === 'integer');
}

function equal(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function child(path, key) {
  return typeof key === 'number' ? `${path}[${key}]`
    : /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}['${key}']`;
}

function resolve(root, ref) {
  if (!ref.startsWith('#')) {
    return null;
  }
  let node = root;
  for (const part of ref.slice(1).split('/').filter(Boolean)) {
    node = node == null ? undefined : node[decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node === undefined ? null : node;
}

function check(schema, value, path, root, errors) {
  if (schema === true || schema === undefined) {
    return;
  }
  if (schema === false) {
    errors.push(`${path}: no value is allowed here`);
    return;
  }
  const actual = typeOf(value);
  // Keywords in the schema's own order, as the relay's validator reports them.
  for (const [keyword, arg] of Object.entries(schema)) {
    switch (keyword) {
      case '$ref': {
        const target = resolve(root, arg);
        if (target === null) {
          errors.push(`${path}: cannot resolve $ref ${arg}`);
        } else {
          check(target, value, path, root, errors);
        }
        break;
      }
      case 'type': {
        const types = Array.isArray(arg) ? arg : [arg];
        if (!types.some((t) => typeMatches(t, actual))) {
          errors.push(`${path}: ${actual} found, ${Array.isArray(arg) ? `[${arg.join(', ')}]` : arg} expected`);
        }
        break;
      }
      case 'enum':
        if (!arg.some((v) => equal(v, value))) {
          errors.push(`${path}: does not have a value in the enumeration [${arg.map((v) => JSON.stringify(v)).join(', ')}]`);
        }
        break;
      case 'const':
        if (!equal(arg, value)) {
          errors.push(`${path}: must be the constant value '${JSON.stringify(arg)}'`);
        }
        break;
      case 'properties':
        if (actual === 'object') {
          for (const [name, sub] of Object.entries(arg)) {
            if (Object.prototype.hasOwnProperty.call(value, name)) {
              check(sub, value[name], child(path, name), root, errors);
            }
          }
        }
        break;
      case 'required':
        if (actual === 'object') {
          arg.filter((name) => !Object.prototype.hasOwnProperty.call(value, name))
            .forEach((name) => errors.push(`${path}: required property '${name}' not found`));
        }
        break;
      case 'additionalProperties':
        if (actual === 'object') {
          const known = Object.keys(schema.properties || {});
          for (const name of Object.keys(value).filter((n) => !known.includes(n))) {
            if (arg === false) {
              errors.push(`${path}: property '${name}' is not defined in the schema and the schema does not allow `
                + 'additional properties');
            } else {
              check(arg, value[name], child(path, name), root, errors);
            }
          }
        }
        break;
      case 'items':
        if (actual === 'array') {
          value.forEach((item, i) => check(arg, item, child(path, i), root, errors));
        }
        break;
      case 'minItems':
      case 'maxItems':
        if (actual === 'array' && (keyword === 'minItems' ? value.length < arg : value.length > arg)) {
          errors.push(`${path}: must have ${keyword === 'minItems' ? 'at least' : 'at most'} ${arg} items but found `
            + `${value.length}`);
        }
        break;
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        if (typeof value === 'number' && !withinBound(keyword, value, arg)) {
          errors.push(`${path}: must have ${keyword.startsWith('exclusive') ? 'an exclusive' : 'a'} `
            + `${keyword.endsWith('inimum') ? 'minimum' : 'maximum'} value of ${arg}`);
        }
        break;
      case 'minLength':
      case 'maxLength':
        if (actual === 'string' && (keyword === 'minLength' ? [...value].length < arg : [...value].length > arg)) {
          errors.push(`${path}: must be ${keyword === 'minLength' ? 'at least' : 'at most'} ${arg} characters long`);
        }
        break;
      case 'pattern':
        if (actual === 'string' && !new RegExp(arg, 'u').test(value)) {
          errors.push(`${path}: does not match the regex pattern ${arg}`);
        }
        break;
      case 'allOf':
        arg.forEach((sub) => check(sub, value, path, root, errors));
        break;
      case 'anyOf':
      case 'oneOf': {
        const passing = arg.filter((sub) => validate(sub, value, root).length === 0).length;
        if (keyword === 'anyOf' ? passing === 0 : passing !== 1) {
          errors.push(`${path}: must be valid to ${keyword === 'anyOf' ? 'at least one' : 'exactly one'} of the `
            + `schemas, but ${passing} are valid`);
        }
        break;
      }
      case 'not':
        if (validate(arg, value, root).length === 0) {
          errors.push(`${path}: must not be valid to the schema ${JSON.stringify(arg)}`);
        }
        break;
      default:
        break; // annotations (description, title, $defs, ...) and keywords this check leaves to the relay
    }
  }
}

function withinBound(keyword, value, bound) {
  switch (keyword) {
    case 'minimum': return value >= bound;
    case 'maximum': return value <= bound;
    case 'exclusiveMinimum': return value > bound;
    default: return value < bound;
  }
}

function validate(schema, value, root) {
  const errors = [];
  check(schema, value, '$', root, errors);
  return errors;
}

/** The list of problems of `value` against `schema` (empty when it conforms). */
export function validateAnswer(schema, value) {
  return validate(schema, value, schema);
}
