"""The test shop has no product images: its thumbnailer hands the source back (Oscar's own
default needs sorl-thumbnail, which this shop does not install)."""

from oscar.core.thumbnails import AbstractThumbnailer


class Originals(AbstractThumbnailer):
    def generate_thumbnail(self, source, **opts):
        return source

    def delete_thumbnails(self, source):
        return None
