"""Going live: encode the avatar and the stream mix once, send it to RTMP servers and files."""
