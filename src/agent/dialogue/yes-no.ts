// Short answers to a yes/no question, typed or spoken ("yeah that's right", "nope", "correct").
const YES = /^(?:y|ya|yah|yes|yeah|yep|yup|sure|ok|okay|correct|right|exactly|absolutely|definitely|of course|sounds good|that works|works for me|perfect|great|please do|go ahead|that's (?:right|correct|it)|that is (?:right|correct)|yes please)\b/;
const NO = /^(?:n|no|nope|nah|not really|incorrect|wrong|that's (?:wrong|not right|incorrect)|that is (?:wrong|not right)|no thanks|no thank you|not now|not yet|don't|do not)\b/;

const normalise = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}'\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(?:um+|uh+|well|oh|hmm+)\s+/, '');

export function isAffirmative(text: string): boolean {
  const value = normalise(text);
  return YES.test(value) && !NO.test(value);
}

export function isNegative(text: string): boolean {
  return NO.test(normalise(text));
}
