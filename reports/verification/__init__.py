"""Printouts that prove themselves: a QR code and a short code on each official PDF, and a public page that
says whether the paper still matches the portal's record (issue #11 item 5)."""
