/**
 * Word lists for the hit verifier. Kept apart from the logic so they can grow without touching
 * it. Everything here is lowercase; antonyms are stemmed with the verifier's own stemmer when
 * loaded, so `enabled` meets `disabling` as well as `enable` meets `disable`.
 */

/** Pairs whose swap inverts or changes a request's meaning. */
export const ANTONYM_PAIRS: readonly (readonly [string, string])[] = [
  ["local", "remote"], ["ascending", "descending"], ["asc", "desc"], ["enable", "disable"],
  ["add", "remove"], ["add", "delete"], ["add", "subtract"], ["insert", "delete"], ["create", "delete"],
  ["create", "destroy"], ["increase", "decrease"], ["increment", "decrement"], ["before", "after"],
  ["min", "max"], ["minimum", "maximum"], ["minimize", "maximize"], ["true", "false"], ["start", "stop"],
  ["begin", "end"], ["encrypt", "decrypt"], ["encode", "decode"], ["import", "export"],
  ["upload", "download"], ["input", "output"], ["push", "pull"], ["send", "receive"],
  ["sender", "receiver"], ["read", "write"], ["reader", "writer"], ["open", "close"], ["show", "hide"],
  ["allow", "deny"], ["allow", "block"], ["allow", "forbid"], ["permit", "prohibit"], ["accept", "reject"],
  ["include", "exclude"], ["left", "right"], ["top", "bottom"], ["up", "down"], ["upper", "lower"],
  ["uppercase", "lowercase"], ["above", "below"], ["inside", "outside"], ["inner", "outer"],
  ["internal", "external"], ["inbound", "outbound"], ["incoming", "outgoing"], ["first", "last"],
  ["old", "new"], ["oldest", "newest"], ["older", "newer"], ["earliest", "latest"], ["past", "future"],
  ["sync", "async"], ["synchronous", "asynchronous"], ["static", "dynamic"], ["public", "private"],
  ["client", "server"], ["frontend", "backend"], ["horizontal", "vertical"], ["horizontally", "vertically"],
  ["online", "offline"], ["on", "off"], ["success", "failure"], ["succeed", "fail"], ["pass", "fail"],
  ["win", "lose"], ["buy", "sell"], ["buyer", "seller"], ["borrow", "lend"], ["give", "take"],
  ["pros", "cons"], ["advantage", "disadvantage"], ["positive", "negative"], ["good", "bad"],
  ["best", "worst"], ["better", "worse"], ["more", "less"], ["more", "fewer"], ["most", "least"],
  ["many", "few"], ["high", "low"], ["higher", "lower"], ["highest", "lowest"], ["large", "small"],
  ["big", "small"], ["larger", "smaller"], ["bigger", "smaller"], ["largest", "smallest"],
  ["biggest", "smallest"], ["long", "short"], ["longer", "shorter"], ["longest", "shortest"],
  ["fast", "slow"], ["faster", "slower"], ["fastest", "slowest"], ["cheap", "expensive"],
  ["easy", "hard"], ["easy", "difficult"], ["easier", "harder"], ["simple", "complex"],
  ["strong", "weak"], ["hot", "cold"], ["warm", "cold"], ["light", "dark"], ["day", "night"],
  ["summer", "winter"], ["north", "south"], ["east", "west"], ["rich", "poor"], ["young", "old"],
  ["male", "female"], ["man", "woman"], ["men", "women"], ["boy", "girl"], ["husband", "wife"],
  ["mother", "father"], ["son", "daughter"], ["brother", "sister"], ["king", "queen"],
  ["love", "hate"], ["happy", "sad"], ["always", "never"], ["all", "none"], ["everything", "nothing"],
  ["everyone", "nobody"], ["yes", "no"], ["debit", "credit"], ["income", "expense"], ["profit", "loss"],
  ["gain", "loss"], ["gain", "lose"], ["rise", "fall"], ["grow", "shrink"], ["expand", "collapse"],
  ["expand", "shrink"], ["login", "logout"], ["signin", "signout"], ["attach", "detach"],
  ["enqueue", "dequeue"], ["merge", "split"], ["join", "split"], ["even", "odd"], ["forward", "backward"],
  ["forwards", "backwards"], ["next", "previous"], ["ahead", "behind"], ["front", "back"],
  ["head", "tail"], ["enter", "exit"], ["entry", "exit"], ["arrival", "departure"], ["parent", "child"],
  ["parents", "children"], ["upstream", "downstream"], ["upgrade", "downgrade"], ["upvote", "downvote"],
  ["overflow", "underflow"], ["overestimate", "underestimate"], ["superclass", "subclass"],
  ["superset", "subset"], ["major", "minor"], ["primary", "secondary"], ["producer", "consumer"],
  ["request", "response"], ["uptime", "downtime"], ["wired", "wireless"], ["manual", "automatic"],
  ["manually", "automatically"], ["explicit", "implicit"], ["absolute", "relative"],
  ["deep", "shallow"], ["wide", "narrow"], ["thick", "thin"], ["heavy", "light"], ["full", "empty"],
  ["import", "export"], ["lock", "unlock"], ["mount", "unmount"], ["install", "uninstall"],
  ["connect", "disconnect"], ["freeze", "unfreeze"], ["serialize", "deserialize"],
  ["compress", "decompress"], ["zip", "unzip"], ["subscribe", "unsubscribe"], ["follow", "unfollow"],
  ["like", "dislike"], ["agree", "disagree"], ["legal", "illegal"], ["possible", "impossible"],
  ["valid", "invalid"], ["visible", "invisible"], ["mutable", "immutable"], ["safe", "unsafe"],
  ["stateful", "stateless"], ["with", "without"], ["union", "intersection"],
  ["plus", "minus"], ["multiply", "divide"], ["multiplication", "division"], ["sum", "difference"],
  ["hourly", "daily"], ["daily", "weekly"], ["weekly", "monthly"], ["monthly", "yearly"],
  ["today", "tomorrow"], ["today", "yesterday"], ["morning", "evening"], ["earlier", "later"],
]; // prettier-ignore

/**
 * Prefixes that negate a word: `install`/`uninstall`, `valid`/`invalid`, `connect`/
 * `disconnect`, `serialize`/`deserialize`. Only checked against a word the other request has in
 * the same place, and only for bases of at least {@link MIN_PREFIX_BASE} letters.
 */
export const NEGATING_PREFIXES: readonly string[] = [
  "un",
  "in",
  "im",
  "il",
  "ir",
  "dis",
  "non",
  "de",
  "anti",
];
export const MIN_PREFIX_BASE = 4;

/** Words that negate a request. Contractions (`don't`, `can't`, `cannot`) are split into `not`. */
export const NEGATIONS: ReadonlySet<string> = new Set([
  "not", "no", "never", "without", "none", "nobody", "nothing", "neither", "nor", "nowhere",
]); // prettier-ignore

/** Contractions written without an apostrophe, as people type them. */
export const BARE_CONTRACTIONS: Readonly<Record<string, readonly string[]>> = {
  dont: ["do", "not"], doesnt: ["does", "not"], didnt: ["did", "not"], isnt: ["is", "not"],
  arent: ["are", "not"], wasnt: ["was", "not"], werent: ["were", "not"], cant: ["can", "not"],
  cannot: ["can", "not"], couldnt: ["could", "not"], shouldnt: ["should", "not"],
  wouldnt: ["would", "not"], wont: ["will", "not"], havent: ["have", "not"], hasnt: ["has", "not"],
  hadnt: ["had", "not"], mustnt: ["must", "not"], neednt: ["need", "not"], aint: ["is", "not"],
}; // prettier-ignore

/** Interrogatives whose swap asks a different question (`why` is not `how`). */
export const QUESTION_WORDS: ReadonlySet<string> = new Set([
  "what",
  "why",
  "how",
  "when",
  "where",
  "who",
  "which",
]);
/** The ones that never mean the same as another interrogative; `what` and `how` often do. */
export const STRICT_QUESTION_WORDS: ReadonlySet<string> = new Set(["why", "when", "where", "who"]);

/** Number words, folded into digits so `five` meets `5`. Not `one`: "which one" is no number. */
export const NUMBER_WORDS: Readonly<Record<string, string>> = {
  zero: "0", two: "2", three: "3", four: "4", five: "5", six: "6", seven: "7", eight: "8",
  nine: "9", ten: "10", eleven: "11", twelve: "12", thirteen: "13", fourteen: "14", fifteen: "15",
  sixteen: "16", seventeen: "17", eighteen: "18", nineteen: "19", twenty: "20", thirty: "30",
  forty: "40", fifty: "50", sixty: "60", seventy: "70", eighty: "80", ninety: "90", hundred: "100",
  thousand: "1000", million: "1000000", billion: "1000000000", half: "0.5", dozen: "12",
}; // prettier-ignore

/**
 * Named technologies, lowercase, as written. A swap between two of them (Python for Go) changes
 * the answer even where an embedding sees two programming languages as near-identical.
 */
export const TECH_TERMS: ReadonlySet<string> = new Set([
  // languages
  "python", "go", "golang", "rust", "java", "javascript", "typescript", "c", "c++", "c#", "f#", "ruby",
  "php", "perl", "swift", "kotlin", "scala", "haskell", "elixir", "erlang", "clojure", "lua", "dart",
  "julia", "matlab", "fortran", "cobol", "r", "bash", "zsh", "powershell", "sql", "html", "css", "sass",
  "wasm", "webassembly", "solidity", "ocaml", "zig", "nim", "groovy", "objective-c", "assembly",
  // runtimes, frameworks, libraries
  "node", "node.js", "nodejs", "deno", "bun", "react", "vue", "angular", "svelte", "next.js", "nextjs",
  "nuxt", "django", "flask", "fastapi", "rails", "laravel", "spring", "express", "jquery", "bootstrap",
  "tailwind", "pandas", "numpy", "pytorch", "tensorflow", "keras", "jax", "scikit-learn", "sklearn",
  "spark", "hadoop", "kafka", "rabbitmq", "graphql", "grpc", "rest", "soap", "electron", "flutter",
  ".net", "dotnet", "unity", "unreal", "opengl", "vulkan", "directx", "cuda", "llvm", "gcc", "clang",
  // data stores
  "mysql", "postgres", "postgresql", "sqlite", "mongodb", "mongo", "redis", "memcached", "cassandra",
  "dynamodb", "elasticsearch", "oracle", "mariadb", "couchdb", "neo4j", "lmdb", "leveldb", "rocksdb",
  // platforms, clouds, operating systems
  "aws", "azure", "gcp", "heroku", "vercel", "netlify", "cloudflare", "docker", "podman", "kubernetes",
  "k8s", "terraform", "ansible", "linux", "windows", "macos", "ubuntu", "debian", "fedora", "centos",
  "android", "ios", "unix", "freebsd", "chrome", "firefox", "safari", "edge",
  // tools and formats
  "git", "svn", "mercurial", "github", "gitlab", "bitbucket", "npm", "yarn", "pnpm", "pip", "conda",
  "maven", "gradle", "cargo", "webpack", "vite", "babel", "eslint", "jest", "vitest", "mocha", "pytest",
  "vim", "emacs", "vscode", "intellij", "eclipse", "xcode", "json", "yaml", "xml", "csv", "toml",
  "protobuf", "markdown", "pdf", "png", "jpeg", "jpg", "gif", "svg", "http", "https", "tcp", "udp",
  "ssh", "ftp", "sftp", "dns", "smtp", "websocket", "oauth", "jwt", "ssl", "tls", "utf-8", "ascii",
  "excel", "word", "powerpoint", "photoshop", "openai", "anthropic", "gpt", "claude", "llama",
  "ollama", "iphone", "ipad", "mac", "pc", "xbox", "playstation", "nintendo",
]); // prettier-ignore

/** Spellings folded into one name before comparing. */
export const ALIASES: Readonly<Record<string, string>> = {
  golang: "go", js: "javascript", ts: "typescript", py: "python", nodejs: "node", "node.js": "node",
  postgres: "postgresql", mongo: "mongodb", k8s: "kubernetes", nextjs: "next.js", dotnet: ".net",
  sklearn: "scikit-learn", america: "usa", u: "you", ur: "your", jpg: "jpeg",
}; // prettier-ignore

/** Function words: never an entity, never a content difference on their own. */
export const STOPWORDS: ReadonlySet<string> = new Set([
  "a", "an", "the", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did",
  "doing", "done", "have", "has", "had", "having", "i", "me", "my", "mine", "myself", "you", "your",
  "yours", "we", "our", "us", "he", "him", "his", "she", "her", "it", "its", "they", "them", "their",
  "this", "that", "these", "those", "there", "here", "what", "which", "who", "whom", "whose", "why",
  "how", "when", "where", "of", "to", "in", "for", "on", "at", "by", "from", "as", "into", "about",
  "than", "then", "so", "if", "but", "can", "could", "should", "would", "will", "shall", "may",
  "might", "must", "need", "some", "any", "such", "very", "really", "just", "also", "too", "only",
  "one", "get", "got", "way", "ways", "thing", "things", "someone", "something", "anyone",
  "anything", "please", "tell", "explain", "know", "want", "like", "use", "using", "make", "good",
  "best", "possible", "out", "up", "over", "after", "before", "with", "without", "and", "or", "not",
  "no", "never",
]); // prettier-ignore
