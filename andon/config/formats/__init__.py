"""Date and time formats of the console and the admin, one per language but the same in both:
2026-11-10 and 2026-11-10 21:29, in the configured time zone (ANDON_TIME_ZONE). One way is
read without thinking in Chinese and in English alike; Django's defaults wrote the same moment
as "Nov. 10, 2026, 9:29 p.m." and "2026年11月10日 21:29"."""
