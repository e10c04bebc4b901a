// Generated from service/data/platforms.toml by `python -m service.platforms --js`; do not edit.
// tests/test_platforms.py fails when this file and the table differ.
export default {
 "platforms": [
  {
   "advice": null,
   "case": "lower",
   "exclude": [],
   "hosts": [
    "instagram.com",
    "www.instagram.com",
    "m.instagram.com",
    "instagr.am",
    "www.instagr.am"
   ],
   "id": "instagram",
   "kind": "social",
   "name": "Instagram",
   "own": [
    "/",
    "/accounts/",
    "/explore/",
    "/about/",
    "/legal/",
    "/privacy/",
    "/direct/",
    "/developer/",
    "/web/",
    "/emails/",
    "/challenge/",
    "/session/",
    "/press/",
    "/download/",
    "/directory/"
   ],
   "reserved": [
    "p",
    "reel",
    "reels",
    "tv",
    "stories",
    "explore",
    "accounts",
    "direct",
    "about",
    "legal",
    "privacy",
    "developer",
    "web",
    "emails",
    "challenge",
    "session",
    "press",
    "download",
    "directory",
    "graphql",
    "api",
    "static",
    "oauth",
    "ar",
    "s",
    "share"
   ],
   "rules": [
    {
     "key": "instagram.com/{1}",
     "kind": "account",
     "path": "^/stories/([^/]+)(/|$)",
     "valid": "^[a-z0-9._]{1,30}$"
    },
    {
     "key": "instagram.com/{1}",
     "kind": "account",
     "path": "^/([^/]+)(/|$)",
     "valid": "^[a-z0-9._]{1,30}$"
    }
   ],
   "site_rules": [],
   "sites": []
  },
  {
   "advice": null,
   "case": "lower",
   "exclude": [],
   "hosts": [
    "threads.com",
    "www.threads.com",
    "threads.net",
    "www.threads.net"
   ],
   "id": "threads",
   "kind": "social",
   "name": "Threads",
   "own": [
    "/",
    "/login/",
    "/search/",
    "/settings/",
    "/activity/",
    "/legal/"
   ],
   "reserved": [],
   "rules": [
    {
     "key": "threads.com/@{1}",
     "kind": "account",
     "path": "^/@([^/]+)(/|$)",
     "valid": "^[a-z0-9._]{1,30}$"
    }
   ],
   "site_rules": [],
   "sites": []
  },
  {
   "advice": null,
   "case": "lower",
   "exclude": [],
   "hosts": [
    "tiktok.com",
    "www.tiktok.com",
    "m.tiktok.com"
   ],
   "id": "tiktok",
   "kind": "social",
   "name": "TikTok",
   "own": [
    "/",
    "/login/",
    "/signup/",
    "/foryou/",
    "/following/",
    "/explore/",
    "/live/",
    "/legal/",
    "/about/",
    "/upload/",
    "/messages/",
    "/setting/",
    "/feedback/"
   ],
   "reserved": [],
   "rules": [
    {
     "key": "tiktok.com/@{1}",
     "kind": "account",
     "path": "^/@([^/]+)(/|$)",
     "valid": "^[a-z0-9._]{2,24}$"
    }
   ],
   "site_rules": [],
   "sites": []
  },
  {
   "advice": null,
   "case": "lower",
   "exclude": [],
   "hosts": [
    "facebook.com",
    "www.facebook.com",
    "m.facebook.com",
    "mbasic.facebook.com",
    "web.facebook.com",
    "touch.facebook.com",
    "mobile.facebook.com",
    "fb.com",
    "www.fb.com"
   ],
   "id": "facebook",
   "kind": "social",
   "name": "Facebook",
   "own": [
    "/",
    "/login/",
    "/login.php",
    "/help/",
    "/settings/",
    "/privacy/",
    "/policies/",
    "/policy.php",
    "/terms/",
    "/legal/",
    "/business/",
    "/ads/",
    "/watch/",
    "/gaming/",
    "/reg/",
    "/recover/",
    "/messages/",
    "/notifications/",
    "/bookmarks/",
    "/friends/",
    "/events",
    "/marketplace",
    "/groups",
    "/pages",
    "/about/",
    "/careers/",
    "/security/"
   ],
   "reserved": [
    "login",
    "login.php",
    "help",
    "settings",
    "privacy",
    "policies",
    "policy.php",
    "terms",
    "legal",
    "business",
    "ads",
    "watch",
    "gaming",
    "reg",
    "recover",
    "messages",
    "notifications",
    "bookmarks",
    "friends",
    "events",
    "marketplace",
    "groups",
    "pages",
    "people",
    "profile.php",
    "photo.php",
    "photo",
    "photos",
    "story.php",
    "permalink.php",
    "share",
    "sharer",
    "sharer.php",
    "reel",
    "reels",
    "stories",
    "hashtag",
    "search",
    "l.php",
    "dialog",
    "plugins",
    "tr",
    "about",
    "careers",
    "security",
    "home.php",
    "video.php",
    "videos",
    "posts",
    "media",
    "find-friends",
    "badges",
    "places",
    "fundraisers",
    "live",
    "lite",
    "checkpoint",
    "composer",
    "sharer",
    "ajax",
    "api",
    "v2.0"
   ],
   "rules": [
    {
     "key": "facebook.com/profile.php?id={q}",
     "kind": "account",
     "path": "^/profile\\.php$",
     "query": "id",
     "valid": "^[0-9]{1,20}$"
    },
    {
     "key": "facebook.com/profile.php?id={1}",
     "kind": "account",
     "path": "^/people/[^/]+/([0-9]{1,20})(/|$)",
     "valid": "^[0-9]{1,20}$"
    },
    {
     "key": "facebook.com/profile.php?id={1}",
     "kind": "account",
     "path": "^/pages/[^/]+/([0-9]{1,20})(/|$)",
     "valid": "^[0-9]{1,20}$"
    },
    {
     "key": "facebook.com/groups/{1}",
     "kind": "account",
     "path": "^/groups/([^/]+)(/|$)",
     "valid": "^[a-z0-9.]{1,100}$"
    },
    {
     "key": "facebook.com/marketplace/item/{1}",
     "kind": "listing",
     "path": "^/marketplace/item/([0-9]{1,20})(/|$)",
     "valid": "^[0-9]{1,20}$"
    },
    {
     "key": "facebook.com/profile.php?id={1}",
     "kind": "account",
     "path": "^/([0-9]{5,20})(/|$)",
     "valid": "^[0-9]{5,20}$"
    },
    {
     "key": "facebook.com/{1}",
     "kind": "account",
     "path": "^/([^/]+)(/|$)",
     "valid": "^[a-z0-9.\\-]{5,50}$"
    }
   ],
   "site_rules": [],
   "sites": []
  },
  {
   "advice": null,
   "case": "lower",
   "exclude": [],
   "hosts": [
    "vk.com",
    "www.vk.com",
    "m.vk.com",
    "new.vk.com",
    "vk.ru",
    "www.vk.ru",
    "m.vk.ru",
    "vkontakte.ru"
   ],
   "id": "vk",
   "kind": "social",
   "name": "VK",
   "own": [
    "/",
    "/login/",
    "/login.php",
    "/feed/",
    "/im/",
    "/settings/",
    "/support/",
    "/help/",
    "/terms/",
    "/privacy/",
    "/about/",
    "/dev/",
    "/friends/",
    "/groups",
    "/audio/",
    "/video/",
    "/apps/",
    "/search/",
    "/join/",
    "/restore/",
    "/blog/",
    "/jobs/",
    "/legal/"
   ],
   "reserved": [
    "login",
    "login.php",
    "feed",
    "im",
    "settings",
    "support",
    "help",
    "terms",
    "privacy",
    "about",
    "dev",
    "friends",
    "groups",
    "audio",
    "audios",
    "video",
    "videos",
    "apps",
    "search",
    "join",
    "restore",
    "blog",
    "jobs",
    "legal",
    "away.php",
    "share.php",
    "wall",
    "photo",
    "album",
    "albums",
    "doc",
    "docs",
    "topic",
    "board",
    "app",
    "clips",
    "clip",
    "market",
    "product",
    "note",
    "notes",
    "page",
    "pages",
    "event",
    "music",
    "stories",
    "story",
    "poll",
    "write",
    "mail",
    "bugs",
    "video_ext.php",
    "widget_comments.php",
    "al_profile.php",
    "reg",
    "verify",
    "services",
    "business",
    "ads",
    "adsweb"
   ],
   "rules": [
    {
     "key": "vk.com/{1}",
     "kind": "account",
     "path": "^/([^/]+)(/|$)",
     "valid": "^[a-z0-9_.]{2,32}$"
    }
   ],
   "site_rules": [],
   "sites": []
  },
  {
   "advice": null,
   "case": "lower",
   "exclude": [],
   "hosts": [
    "ok.ru",
    "www.ok.ru",
    "m.ok.ru",
    "odnoklassniki.ru",
    "www.odnoklassniki.ru"
   ],
   "id": "ok",
   "kind": "social",
   "name": "Odnoklassniki (OK)",
   "own": [
    "/",
    "/feed/",
    "/messages/",
    "/settings/",
    "/help/",
    "/regulations/",
    "/about/",
    "/dk/",
    "/video/",
    "/music/",
    "/games/",
    "/search/",
    "/feedback/"
   ],
   "reserved": [
    "feed",
    "messages",
    "settings",
    "help",
    "regulations",
    "about",
    "dk",
    "video",
    "music",
    "games",
    "search",
    "feedback",
    "profile",
    "group",
    "app",
    "apps",
    "live",
    "photos",
    "friends",
    "guests",
    "notifications",
    "marks",
    "gifts",
    "market",
    "discussions",
    "payment",
    "bookmarks",
    "topic"
   ],
   "rules": [
    {
     "key": "ok.ru/profile/{1}",
     "kind": "account",
     "path": "^/profile/([0-9]{1,20})(/|$)",
     "valid": "^[0-9]{1,20}$"
    },
    {
     "key": "ok.ru/group/{1}",
     "kind": "account",
     "path": "^/group/([0-9]{1,20})(/|$)",
     "valid": "^[0-9]{1,20}$"
    },
    {
     "key": "ok.ru/{1}",
     "kind": "account",
     "path": "^/([^/]+)(/|$)",
     "valid": "^[a-z0-9_.]{2,50}$"
    }
   ],
   "site_rules": [],
   "sites": []
  },
  {
   "advice": null,
   "case": "lower",
   "exclude": [],
   "hosts": [
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com"
   ],
   "id": "youtube",
   "kind": "social",
   "name": "YouTube",
   "own": [
    "/",
    "/feed/",
    "/results/",
    "/account/",
    "/premium/",
    "/kids/",
    "/about/",
    "/t/",
    "/howyoutubeworks/",
    "/signin/",
    "/logout/",
    "/paid_memberships/",
    "/reporthistory/",
    "/creators/",
    "/ads/"
   ],
   "reserved": [],
   "rules": [
    {
     "key": "youtube.com/@{1}",
     "kind": "account",
     "path": "^/@([^/]+)(/|$)",
     "valid": "^[a-z0-9._\\-]{3,30}$"
    },
    {
     "case": "keep",
     "key": "youtube.com/channel/{1}",
     "kind": "account",
     "path": "^/channel/([^/]+)(/|$)",
     "valid": "^UC[A-Za-z0-9_\\-]{22}$"
    },
    {
     "key": "youtube.com/c/{1}",
     "kind": "account",
     "path": "^/c/([^/]+)(/|$)",
     "valid": "^[a-z0-9._\\-]{1,100}$"
    },
    {
     "key": "youtube.com/user/{1}",
     "kind": "account",
     "path": "^/user/([^/]+)(/|$)",
     "valid": "^[a-z0-9._\\-]{1,100}$"
    }
   ],
   "site_rules": [],
   "sites": []
  },
  {
   "advice": null,
   "case": "lower",
   "exclude": [],
   "hosts": [
    "x.com",
    "www.x.com",
    "mobile.x.com",
    "twitter.com",
    "www.twitter.com",
    "mobile.twitter.com"
   ],
   "id": "x",
   "kind": "social",
   "name": "X (Twitter)",
   "own": [
    "/",
    "/home/",
    "/login/",
    "/logout/",
    "/signup/",
    "/i/",
    "/settings/",
    "/explore/",
    "/search/",
    "/notifications/",
    "/messages/",
    "/compose/",
    "/tos/",
    "/privacy/",
    "/rules/",
    "/jobs/",
    "/account/"
   ],
   "reserved": [
    "home",
    "login",
    "logout",
    "signup",
    "i",
    "settings",
    "explore",
    "search",
    "notifications",
    "messages",
    "compose",
    "tos",
    "privacy",
    "rules",
    "jobs",
    "account",
    "intent",
    "share",
    "hashtag",
    "oauth",
    "download",
    "about"
   ],
   "rules": [
    {
     "key": "x.com/{1}",
     "kind": "account",
     "path": "^/([^/]+)(/|$)",
     "valid": "^[a-z0-9_]{1,15}$"
    }
   ],
   "site_rules": [],
   "sites": []
  },
  {
   "advice": null,
   "case": "lower",
   "exclude": [
    "www",
    "addemoji",
    "addlist",
    "addstickers",
    "addstyle",
    "addtheme",
    "auction",
    "auth",
    "boost",
    "call",
    "confirmphone",
    "contact",
    "giftcode",
    "invoice",
    "joinchat",
    "login",
    "m",
    "nft",
    "proxy",
    "setlanguage",
    "share",
    "socks",
    "web",
    "a",
    "k",
    "z"
   ],
   "hosts": [
    "t.me",
    "www.t.me",
    "telegram.me",
    "www.telegram.me",
    "telegram.dog",
    "www.telegram.dog"
   ],
   "id": "telegram",
   "kind": "messenger",
   "name": "Telegram",
   "own": [
    "/"
   ],
   "reserved": [
    "s",
    "c",
    "addemoji",
    "addlist",
    "addstickers",
    "addstyle",
    "addtheme",
    "auction",
    "auth",
    "boost",
    "bg",
    "call",
    "confirmphone",
    "contact",
    "giftcode",
    "invoice",
    "iv",
    "joinchat",
    "login",
    "m",
    "nft",
    "proxy",
    "setlanguage",
    "share",
    "socks",
    "web",
    "a",
    "k",
    "z",
    "apps",
    "premium",
    "blog",
    "faq",
    "dl",
    "download",
    "privacy",
    "tos"
   ],
   "rules": [
    {
     "kind": "phone",
     "path": "^/\\+([0-9]{7,15})/?$"
    },
    {
     "case": "keep",
     "key": "t.me/+{1}",
     "kind": "invite",
     "path": "^/\\+([A-Za-z0-9_\\-]+)/?$",
     "valid": "^[A-Za-z0-9_\\-]{10,64}$"
    },
    {
     "case": "keep",
     "key": "t.me/+{1}",
     "kind": "invite",
     "path": "^/joinchat/([A-Za-z0-9_\\-]+)/?$",
     "valid": "^[A-Za-z0-9_\\-]{10,64}$"
    },
    {
     "key": "t.me/{1}",
     "kind": "account",
     "path": "^/s/([^/]+)(/|$)",
     "valid": "^[a-z][a-z0-9_]{3,31}$"
    },
    {
     "key": "t.me/{1}",
     "kind": "account",
     "path": "^/([^/]+)(/|$)",
     "valid": "^[a-z][a-z0-9_]{3,31}$"
    }
   ],
   "site_rules": [
    {
     "key": "t.me/{sub}",
     "kind": "account",
     "path": "^/",
     "valid": "^[a-z][a-z0-9_]{3,31}$"
    }
   ],
   "sites": [
    "t.me"
   ]
  },
  {
   "advice": null,
   "case": "keep",
   "exclude": [],
   "hosts": [
    "wa.me",
    "www.wa.me",
    "api.whatsapp.com",
    "web.whatsapp.com",
    "whatsapp.com",
    "www.whatsapp.com",
    "chat.whatsapp.com"
   ],
   "id": "whatsapp",
   "kind": "messenger",
   "name": "WhatsApp",
   "own": [
    "/",
    "/download/",
    "/legal/",
    "/security/",
    "/privacy/",
    "/features/",
    "/business/",
    "/contact/",
    "/about/",
    "/android/",
    "/stayconnected/",
    "/coronavirus/",
    "/join/",
    "/dl/",
    "/channel",
    "/blog/",
    "/faq/"
   ],
   "reserved": [
    "send",
    "message",
    "channel",
    "download",
    "legal",
    "security",
    "privacy",
    "features",
    "business",
    "contact",
    "about",
    "android",
    "join",
    "coronavirus",
    "stayconnected",
    "dl"
   ],
   "rules": [
    {
     "kind": "phone",
     "path": "^/send/?$",
     "query": "phone"
    },
    {
     "kind": "phone",
     "path": "^/\\+?([0-9]{7,15})/?$"
    },
    {
     "key": "wa.me/message/{1}",
     "kind": "invite",
     "path": "^/message/([A-Za-z0-9]+)/?$",
     "valid": "^[A-Z0-9]{8,20}$"
    },
    {
     "key": "whatsapp.com/channel/{1}",
     "kind": "account",
     "path": "^/channel/([A-Za-z0-9]+)/?$",
     "valid": "^[A-Za-z0-9]{16,40}$"
    },
    {
     "key": "chat.whatsapp.com/{1}",
     "kind": "invite",
     "path": "^/(?:invite/)?([A-Za-z0-9]{16,30})/?$",
     "valid": "^[A-Za-z0-9]{16,30}$"
    }
   ],
   "site_rules": [],
   "sites": []
  },
  {
   "advice": "rule.olx",
   "case": "keep",
   "exclude": [
    "www",
    "m",
    "help",
    "blog",
    "static",
    "api",
    "id",
    "login",
    "business",
    "partner",
    "img",
    "cdn",
    "apollo",
    "frankfurt",
    "ireland"
   ],
   "hosts": [
    "olx.kz",
    "www.olx.kz",
    "m.olx.kz"
   ],
   "id": "olx",
   "kind": "marketplace",
   "name": "OLX.kz",
   "own": [
    "/",
    "/account/",
    "/myaccount/",
    "/adding/",
    "/favorites/",
    "/help/",
    "/safety/",
    "/obyavleniya",
    "/list"
   ],
   "reserved": [],
   "rules": [
    {
     "key": "olx.kz/ID{1}",
     "kind": "listing",
     "path": "^/(?:d/)?(?:[a-z]{2}/)?obyavlenie/[^/]*-ID([A-Za-z0-9]+)\\.html$",
     "valid": "^[A-Za-z0-9]{4,12}$"
    },
    {
     "key": "olx.kz/ID{1}",
     "kind": "listing",
     "path": "^/ID([A-Za-z0-9]+)$",
     "valid": "^[A-Za-z0-9]{4,12}$"
    },
    {
     "key": "olx.kz/list/user/{1}",
     "kind": "account",
     "path": "^/(?:[a-z]{2}/)?list/user/([A-Za-z0-9]+)/?$",
     "valid": "^[A-Za-z0-9]{2,20}$"
    }
   ],
   "site_rules": [
    {
     "key": "{sub}.olx.kz/",
     "kind": "account",
     "path": "^/",
     "valid": "^[a-z0-9\\-]{2,63}$"
    }
   ],
   "sites": [
    "olx.kz"
   ]
  },
  {
   "advice": "rule.kolesa",
   "case": "keep",
   "exclude": [],
   "hosts": [
    "kolesa.kz",
    "www.kolesa.kz",
    "m.kolesa.kz"
   ],
   "id": "kolesa",
   "kind": "marketplace",
   "name": "Kolesa.kz",
   "own": [
    "/",
    "/cars/",
    "/spare/",
    "/moto/",
    "/help/",
    "/about/",
    "/a/new/",
    "/my/",
    "/login/",
    "/favorites/"
   ],
   "reserved": [],
   "rules": [
    {
     "key": "kolesa.kz/a/show/{1}",
     "kind": "listing",
     "path": "^/a/show/([0-9]+)/?$",
     "valid": "^[0-9]{1,12}$"
    }
   ],
   "site_rules": [],
   "sites": []
  },
  {
   "advice": "rule.krisha",
   "case": "keep",
   "exclude": [],
   "hosts": [
    "krisha.kz",
    "www.krisha.kz",
    "m.krisha.kz"
   ],
   "id": "krisha",
   "kind": "marketplace",
   "name": "Krisha.kz",
   "own": [
    "/",
    "/prodazha/",
    "/arenda/",
    "/help/",
    "/about/",
    "/a/new/",
    "/my/",
    "/login/",
    "/favorites/",
    "/complex/"
   ],
   "reserved": [],
   "rules": [
    {
     "key": "krisha.kz/a/show/{1}",
     "kind": "listing",
     "path": "^/a/show/([0-9]+)/?$",
     "valid": "^[0-9]{1,12}$"
    }
   ],
   "site_rules": [],
   "sites": []
  },
  {
   "advice": null,
   "case": "lower",
   "exclude": [],
   "hosts": [
    "sites.google.com"
   ],
   "id": "google_sites",
   "kind": "builder",
   "name": "Google Sites",
   "own": [
    "/",
    "/new/",
    "/u/"
   ],
   "reserved": [],
   "rules": [
    {
     "key": "sites.google.com/view/{1}",
     "kind": "page",
     "path": "^/view/([^/]+)(/|$)",
     "valid": "^[a-z0-9\\-_.]{1,100}$"
    },
    {
     "key": "sites.google.com/site/{1}",
     "kind": "page",
     "path": "^/site/([^/]+)(/|$)",
     "valid": "^[a-z0-9\\-_.]{1,100}$"
    },
    {
     "key": "sites.google.com/{1}/{2}",
     "kind": "page",
     "path": "^/([a-z0-9\\-]+\\.[a-z0-9.\\-]+)/([^/]+)(/|$)",
     "valid": "^[a-z0-9\\-_.]{1,100}$"
    }
   ],
   "site_rules": [],
   "sites": []
  },
  {
   "advice": null,
   "case": "keep",
   "exclude": [],
   "hosts": [
    "docs.google.com"
   ],
   "id": "google_forms",
   "kind": "builder",
   "name": "Google Forms",
   "own": [
    "/",
    "/forms"
   ],
   "reserved": [],
   "rules": [
    {
     "key": "docs.google.com/forms/d/e/{1}",
     "kind": "page",
     "path": "^/forms/(?:u/[0-9]+/)?d/e/([A-Za-z0-9_\\-]+)(/|$)",
     "valid": "^[A-Za-z0-9_\\-]{20,120}$"
    },
    {
     "key": "docs.google.com/forms/d/{1}",
     "kind": "page",
     "path": "^/forms/(?:u/[0-9]+/)?d/([A-Za-z0-9_\\-]+)(/|$)",
     "valid": "^[A-Za-z0-9_\\-]{20,120}$"
    },
    {
     "key": "docs.google.com/{1}/d/{2}",
     "kind": "page",
     "path": "^/(document|spreadsheets|presentation)/(?:u/[0-9]+/)?d/([A-Za-z0-9_\\-]+)(/|$)",
     "valid": "^[A-Za-z0-9_\\-]{20,120}$"
    }
   ],
   "site_rules": [],
   "sites": []
  },
  {
   "advice": null,
   "case": "keep",
   "exclude": [],
   "hosts": [
    "forms.gle"
   ],
   "id": "forms_gle",
   "kind": "builder",
   "name": "Google Forms",
   "own": [
    "/"
   ],
   "reserved": [],
   "rules": [
    {
     "key": "forms.gle/{1}",
     "kind": "page",
     "path": "^/([A-Za-z0-9]+)/?$",
     "valid": "^[A-Za-z0-9]{8,30}$"
    }
   ],
   "site_rules": [],
   "sites": []
  },
  {
   "advice": null,
   "case": "lower",
   "exclude": [],
   "hosts": [
    "taplink.cc",
    "www.taplink.cc",
    "taplink.at",
    "taplink.ws"
   ],
   "id": "taplink",
   "kind": "builder",
   "name": "Taplink",
   "own": [
    "/",
    "/login/",
    "/signup/",
    "/help/",
    "/pricing/",
    "/about/",
    "/blog/"
   ],
   "reserved": [],
   "rules": [
    {
     "key": "taplink.cc/{1}",
     "kind": "page",
     "path": "^/([^/]+)(/|$)",
     "valid": "^[a-z0-9_.\\-]{2,64}$"
    }
   ],
   "site_rules": [],
   "sites": []
  },
  {
   "advice": null,
   "case": "lower",
   "exclude": [],
   "hosts": [
    "linktr.ee",
    "www.linktr.ee"
   ],
   "id": "linktree",
   "kind": "builder",
   "name": "Linktree",
   "own": [
    "/",
    "/login/",
    "/register/",
    "/s/",
    "/admin/"
   ],
   "reserved": [
    "login",
    "register",
    "s",
    "admin",
    "help",
    "blog",
    "pricing",
    "privacy",
    "terms"
   ],
   "rules": [
    {
     "key": "linktr.ee/{1}",
     "kind": "page",
     "path": "^/([^/]+)(/|$)",
     "valid": "^[a-z0-9_.\\-]{2,64}$"
    }
   ],
   "site_rules": [],
   "sites": []
  },
  {
   "advice": null,
   "case": "lower",
   "exclude": [
    "www"
   ],
   "hosts": [],
   "id": "wix",
   "kind": "builder",
   "name": "Wix",
   "own": [],
   "reserved": [],
   "rules": [],
   "site_rules": [
    {
     "key": "{sub}.wixsite.com/{1}",
     "kind": "page",
     "path": "^/([^/]+)(/|$)",
     "valid": "^[a-z0-9_.\\-]{1,100}$"
    },
    {
     "key": "{sub}.wixsite.com/",
     "kind": "page",
     "path": "^/"
    }
   ],
   "sites": [
    "wixsite.com"
   ]
  },
  {
   "advice": null,
   "case": "keep",
   "exclude": [],
   "hosts": [
    "telegra.ph",
    "graph.org"
   ],
   "id": "telegraph",
   "kind": "builder",
   "name": "Telegraph",
   "own": [
    "/"
   ],
   "reserved": [],
   "rules": [
    {
     "key": "telegra.ph/{1}",
     "kind": "page",
     "path": "^/([A-Za-z0-9%\\-_.]+-[0-9]{2}-[0-9]{2}(?:-[0-9]+)?)/?$",
     "valid": "^[A-Za-z0-9%\\-_.]{5,300}$"
    }
   ],
   "site_rules": [],
   "sites": []
  },
  {
   "advice": null,
   "case": "keep",
   "exclude": [],
   "hosts": [
    "storage.googleapis.com",
    "s3.amazonaws.com",
    "firebasestorage.googleapis.com"
   ],
   "id": "cloud_storage",
   "kind": "builder",
   "name": "Cloud storage",
   "own": [
    "/"
   ],
   "reserved": [],
   "rules": [
    {
     "key": "firebasestorage.googleapis.com/v0/b/{1}",
     "kind": "page",
     "path": "^/v0/b/([^/]+)(/|$)",
     "valid": "^[a-z0-9_.\\-]{3,222}$"
    },
    {
     "key": "{host}/{1}",
     "kind": "page",
     "path": "^/([^/]+)(/|$)",
     "valid": "^[a-z0-9_.\\-]{3,222}$"
    }
   ],
   "site_rules": [],
   "sites": []
  },
  {
   "advice": null,
   "case": "keep",
   "exclude": [
    "www"
   ],
   "hosts": [],
   "id": "notion",
   "kind": "builder",
   "name": "Notion",
   "own": [],
   "reserved": [],
   "rules": [],
   "site_rules": [],
   "sites": [
    "notion.site"
   ]
  },
  {
   "advice": null,
   "case": "keep",
   "exclude": [
    "www"
   ],
   "hosts": [],
   "id": "tilda",
   "kind": "builder",
   "name": "Tilda",
   "own": [],
   "reserved": [],
   "rules": [],
   "site_rules": [],
   "sites": [
    "tilda.ws"
   ]
  },
  {
   "advice": null,
   "case": "keep",
   "exclude": [
    "www"
   ],
   "hosts": [],
   "id": "github_pages",
   "kind": "builder",
   "name": "GitHub Pages",
   "own": [],
   "reserved": [],
   "rules": [],
   "site_rules": [],
   "sites": [
    "github.io"
   ]
  },
  {
   "advice": null,
   "case": "keep",
   "exclude": [
    "www",
    "app"
   ],
   "hosts": [],
   "id": "netlify",
   "kind": "builder",
   "name": "Netlify",
   "own": [],
   "reserved": [],
   "rules": [],
   "site_rules": [],
   "sites": [
    "netlify.app"
   ]
  },
  {
   "advice": null,
   "case": "keep",
   "exclude": [
    "www"
   ],
   "hosts": [],
   "id": "vercel",
   "kind": "builder",
   "name": "Vercel",
   "own": [],
   "reserved": [],
   "rules": [],
   "site_rules": [],
   "sites": [
    "vercel.app"
   ]
  },
  {
   "advice": null,
   "case": "keep",
   "exclude": [
    "www"
   ],
   "hosts": [],
   "id": "cloudflare_pages",
   "kind": "builder",
   "name": "Cloudflare Pages / Workers",
   "own": [],
   "reserved": [],
   "rules": [],
   "site_rules": [],
   "sites": [
    "pages.dev",
    "workers.dev",
    "r2.dev",
    "trycloudflare.com"
   ]
  },
  {
   "advice": null,
   "case": "keep",
   "exclude": [
    "www"
   ],
   "hosts": [],
   "id": "blogger",
   "kind": "builder",
   "name": "Blogger",
   "own": [],
   "reserved": [],
   "rules": [],
   "site_rules": [],
   "sites": [
    "blogspot.com"
   ]
  },
  {
   "advice": null,
   "case": "keep",
   "exclude": [
    "www"
   ],
   "hosts": [],
   "id": "google_cloud",
   "kind": "builder",
   "name": "Google Firebase / App Engine",
   "own": [],
   "reserved": [],
   "rules": [],
   "site_rules": [],
   "sites": [
    "firebaseapp.com",
    "web.app",
    "appspot.com"
   ]
  },
  {
   "advice": null,
   "case": "keep",
   "exclude": [
    "www",
    "public-api",
    "subscribe",
    "wordpress",
    "en",
    "ru",
    "kk",
    "developer",
    "jetpack",
    "dashboard"
   ],
   "hosts": [],
   "id": "wordpress",
   "kind": "builder",
   "name": "WordPress.com",
   "own": [],
   "reserved": [],
   "rules": [],
   "site_rules": [],
   "sites": [
    "wordpress.com"
   ]
  },
  {
   "advice": null,
   "case": "keep",
   "exclude": [
    "www"
   ],
   "hosts": [],
   "id": "free_hosting",
   "kind": "builder",
   "name": "free hosting",
   "own": [],
   "reserved": [],
   "rules": [],
   "site_rules": [],
   "sites": [
    "000webhostapp.com",
    "weebly.com",
    "weeblysite.com",
    "glitch.me",
    "herokuapp.com",
    "godaddysites.com",
    "webflow.io",
    "square.site",
    "mystrikingly.com",
    "yolasite.com",
    "jimdosite.com",
    "ucoz.ru",
    "ucoz.net",
    "narod.ru",
    "ngrok.io",
    "ngrok-free.app",
    "ngrok.app",
    "repl.co",
    "replit.app",
    "onrender.com",
    "azurewebsites.net",
    "web.core.windows.net",
    "duckdns.org",
    "ddns.net",
    "hopto.org",
    "zapto.org",
    "no-ip.org",
    "sytes.net",
    "servehttp.com",
    "framer.app",
    "framer.website",
    "carrd.co",
    "bubbleapps.io",
    "glide.page",
    "typedream.app",
    "surge.sh",
    "fly.dev",
    "webwave.dev",
    "codeanyapp.com",
    "wixstudio.io",
    "mssg.me",
    "tb.ru"
   ]
  }
 ]
};
