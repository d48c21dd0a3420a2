import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gatherTwiml, goodbyeTwiml, messagingTwiml, relayTwiml } from './twiml.js';

const speech = { language: 'en-US', voice: undefined };

test('a turn is a speech Gather that comes back even on silence, with Clara speaking inside it (the caller may barge in)', () => {
  const xml = gatherTwiml({ say: 'May I have your name?', action: 'https://clara.test/webhooks/twilio/voice/turn?n=2&silence=1' }, speech);
  assert.match(xml, /<Gather input="speech" action="https:\/\/clara\.test\/webhooks\/twilio\/voice\/turn\?n=2&amp;silence=1" method="POST" speechTimeout="auto" actionOnEmptyResult="true" language="en-US"><Say language="en-US">May I have your name\?<\/Say><\/Gather>/);
  assert.doesNotMatch(xml, /Recording/);
});

test('consent starts the recording before the next question, reported to the recording callback', () => {
  const xml = gatherTwiml({ say: 'Thank you.', action: 'https://clara.test/t', recordingCallback: 'https://clara.test/webhooks/twilio/recording' }, speech);
  assert.match(xml, /^<\?xml[^>]*><Response><Start><Recording recordingStatusCallback="https:\/\/clara\.test\/webhooks\/twilio\/recording" recordingStatusCallbackMethod="POST" recordingStatusCallbackEvent="completed" channels="dual"\/><\/Start><Gather/);
});

test('the goodbye is said, then the call hangs up; text is escaped', () => {
  const xml = goodbyeTwiml('Thanks <Tom> & have a great day.', { language: 'en-GB', voice: 'Polly.Amy' });
  assert.match(xml, /<Say language="en-GB" voice="Polly.Amy">Thanks &lt;Tom&gt; &amp; have a great day.<\/Say><Hangup\/><\/Response>$/);
});

test('ConversationRelay: <Connect action> around <ConversationRelay> with the socket URL and the greeting', () => {
  const xml = relayTwiml({ url: 'wss://clara.test/webhooks/twilio/relay', welcomeGreeting: 'Hi there!', action: 'https://clara.test/webhooks/twilio/voice/relay-ended' }, speech);
  assert.match(xml, /<Connect action="https:\/\/clara\.test\/webhooks\/twilio\/voice\/relay-ended" method="POST"><ConversationRelay url="wss:\/\/clara\.test\/webhooks\/twilio\/relay" welcomeGreeting="Hi there!" language="en-US" interruptible="any" dtmfDetection="true"\/><\/Connect>/);
});

test('SMS: one <Message> per text, and none when Clara sends nothing', () => {
  assert.match(messagingTwiml(['Hi!', 'May I have your name?']), /<Response><Message>Hi!<\/Message><Message>May I have your name\?<\/Message><\/Response>/);
  assert.match(messagingTwiml([]), /<Response\/>$/);
});
