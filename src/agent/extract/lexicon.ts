/**
 * Word lists shared by the name, company and email extractors. A word here is never taken as
 * (part of) a person's name, and never starts a company name.
 */

const FUNCTION_WORDS = `a an the this that these those there here it its it's i i'm i've i'd i'll me my mine myself
we we're we've we'd we'll us our ours ourselves you you're your yours he she him her his hers they them their theirs
is am are was were be been being do does did done have has had having will would shall should can could may might must
and or but nor so yet if then than because as at by for from in into of off on onto out over to up upon with within without
about above across after against along among around before behind below beneath beside between beyond down during except
inside near outside past since through throughout till toward towards under underneath until via per
not no yes yeah yep yup nope nah ok okay sure right well oh um uh er ah hmm hi hello hey bye thanks thank please
what when where which who whom whose why how what's that's there's let's who's where's how's
all any both each either every few many more most much neither none other others same some such
just only also very really quite too still even again already almost always never often sometimes soon now`;

const COMMON = `interested interesting looking calling wondering trying hoping thinking reaching following checking getting
going doing working running looking searching shopping planning wanting needing asking writing texting emailing messaging
good great fine fantastic awesome happy glad sorry curious busy free available ready new based located situated
actually basically currently honestly literally probably definitely absolutely certainly maybe perhaps kind sort
speaking talking driving travelling traveling walking sitting
researching evaluating comparing considering exploring reviewing assessing investigating shopping browsing
owner founder cofounder co-founder ceo cfo coo cto cmo president director manager head lead vp chief partner principal
assistant secretary receptionist intern admin administrator consultant contractor employee staff boss
company business firm agency practice clinic store shop team group office department
sales marketing operations ops finance support service services customer customers client clients
someone somebody anyone anybody nobody everyone everybody person people guy guys lady folks
calling call phone number email mail address name website site online contact
one two three four five six seven eight nine ten first second third last next
morning afternoon evening tonight today tomorrow yesterday week month year time day
interested excited thrilled pleased confused lost stuck worried concerned annoyed frustrated tired done finished
the thing something nothing everything stuff info information question questions
using use used need needs needed want wants wanted like likes liked love would wanna gonna
home work job demo pricing price cost quote trial help problem issue
new old big small large little
calling regarding re fyi btw
mr mrs ms miss dr sir madam
pleased nice`;

export const COMMON_WORDS: ReadonlySet<string> = new Set(
  `${FUNCTION_WORDS} ${COMMON}`.split(/\s+/).filter((w) => w.length > 0),
);

/** Pure grammar words: they end a name or a company name. */
export const STOP_WORDS: ReadonlySet<string> = new Set(FUNCTION_WORDS.split(/\s+/).filter((w) => w.length > 0));

/** Job titles: "i'm the ceo" is a role, not a name. */
export const TITLES: ReadonlySet<string> = new Set(
  `owner co-owner founder cofounder co-founder ceo cfo coo cto cmo cio president vp director manager head lead chief
partner principal proprietor md gm assistant secretary receptionist intern admin administrator consultant
engineer developer analyst coordinator supervisor executive officer rep representative agent associate`.split(/\s+/),
);

export const COMPANY_SUFFIXES: ReadonlySet<string> = new Set(
  `inc inc. llc llp ltd ltd. limited corp corp. corporation co co. company plc gmbh ag sa bv nv pty pvt group holdings
partners associates solutions systems technologies technology labs studio studios services logistics consulting
enterprises industries international global ventures capital media agency realty properties dental clinic health
motors insurance financial bank sons brothers daughters bros fils architects accountants attorneys lawyers engineers
builders construction designs design interiors imports exports florists dentistry sarl srl spa oy kg`.split(/\s+/),
);
