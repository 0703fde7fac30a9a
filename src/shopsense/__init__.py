"""ShopSense: behaviour-driven e-commerce search, recommendations, profiles and analytics."""

__version__ = "0.1.0"
