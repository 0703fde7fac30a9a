"""The UI's words in English and Chinese; templates and JavaScript read the same table."""

from __future__ import annotations

from starlette.requests import Request

LANGUAGES = ("en", "zh")
_TEXTS: dict[str, tuple[str, str]] = {  # key: (English, Chinese)
    "shop": ("ShopSense demo store", "ShopSense 演示商店"),
    "search_placeholder": ("Search products…", "搜索商品…"),
    "search": ("Search", "搜索"),
    "shopper": ("Shopper", "顾客"),
    "new_shopper": ("New shopper", "新顾客"),
    "other_shopper": ("Another shopper", "其他顾客"),
    "shopper_id": ("Shopper id (a user id from the dashboard's profiles)", "顾客 ID（可在后台的用户画像中找到）"),
    "cart": ("Cart", "购物车"),
    "for_you": ("For you", "为你推荐"),
    "trending": ("Trending now", "热门商品"),
    "results": ("results", "个结果"),
    "no_results": ("Nothing found.", "没有找到商品。"),
    "fallback": ("No exact match; showing related products", "没有完全匹配的商品，显示相关商品"),
    "did_you_mean": ("Showing results for", "显示结果："),
    "sort": ("Sort", "排序"),
    "sort_relevance": ("Relevance", "相关度"),
    "sort_price_asc": ("Price: low to high", "价格从低到高"),
    "sort_price_desc": ("Price: high to low", "价格从高到低"),
    "sort_newest": ("Newest", "最新"),
    "sort_best_selling": ("Best selling", "销量"),
    "facet_category": ("Category", "类目"),
    "facet_brand": ("Brand", "品牌"),
    "facet_shop": ("Shop", "店铺"),
    "facet_price": ("Price", "价格"),
    "facet_in_stock": ("In stock", "有货"),
    "clear_filters": ("Clear filters", "清除筛选"),
    "similar": ("Similar items", "相似商品"),
    "also_bought": ("Customers also bought", "买了这个的人还买了"),
    "add_to_cart": ("Add to cart", "加入购物车"),
    "added": ("Added to cart", "已加入购物车"),
    "remove": ("Remove", "移除"),
    "checkout": ("Buy now", "立即购买"),
    "bought": ("Thank you! Your order is placed.", "谢谢！订单已提交。"),
    "cart_empty": ("Your cart is empty.", "购物车是空的。"),
    "complete_basket": ("Complete your basket", "凑单推荐"),
    "total": ("Total", "合计"),
    "in_stock": ("In stock", "有货"),
    "out_of_stock": ("Out of stock", "缺货"),
    "assistant": ("Shopping assistant", "购物助手"),
    "ask": ("Ask about products, orders, delivery…", "问问商品、订单、配送…"),
    "send": ("Send", "发送"),
    "helpful": ("Helpful", "有帮助"),
    "not_helpful": ("Not helpful", "没帮助"),
    "thanks": ("Thanks for the feedback", "感谢反馈"),
    "sources": ("Sources", "来源"),
    "loading": ("Loading…", "加载中…"),
    "error": ("Something went wrong", "出错了"),
    "language": ("中文", "English"),
    "dashboard": ("ShopSense dashboard", "ShopSense 管理后台"),
    "storefront": ("Storefront", "商店"),
    "admin_key": ("Admin API key", "管理员 API 密钥"),
    "sign_in": ("Sign in", "登录"),
    "sign_out": ("Sign out", "退出"),
    "key_hint": ("Create one with `shopsense keys create --role admin`; `shopsense demo` prints one.",
                 "用 `shopsense keys create --role admin` 创建；`shopsense demo` 会打印一个。"),
    "overview": ("Overview", "概览"),
    "funnels": ("Funnel", "漏斗"),
    "cohorts": ("Cohorts", "同期群"),
    "rfm": ("RFM & clusters", "RFM 与聚类"),
    "profiles": ("Profiles", "用户画像"),
    "segments": ("Segments", "人群圈选"),
    "experiments": ("Experiments", "A/B 实验"),
    "models": ("Models", "模型"),
    "search_analytics": ("Search analytics", "搜索分析"),
    "feedback": ("Assistant feedback", "助手反馈"),
    "user_id": ("User id", "用户 ID"),
    "show": ("Show", "查看"),
    "add_rule": ("Add condition", "添加条件"),
    "matching": ("matching users of", "名用户符合，共"),
    "save": ("Save", "保存"),
    "export": ("Export CSV", "导出 CSV"),
    "activate": ("Activate", "启用"),
    "rollback": ("Roll back", "回滚"),
    "active": ("active", "使用中"),
    "nothing_yet": ("Nothing yet.", "暂无数据。"),
}
TEXTS: dict[str, dict[str, str]] = {lang: {k: v[i] for k, v in _TEXTS.items()} for i, lang in enumerate(LANGUAGES)}


def language_of(request: Request) -> str:
    """``?lang=`` first, then the ``lang`` cookie (set by the switch), then the browser's preference."""
    chosen = request.query_params.get("lang") or request.cookies.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return "zh" if request.headers.get("accept-language", "").lower().startswith("zh") else "en"
