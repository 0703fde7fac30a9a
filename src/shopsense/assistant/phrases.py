"""Every sentence the template composer writes, in English and Chinese; ``say(key, zh, **fields)`` picks one.

Templates only arrange facts (titles, prices, states, policy excerpts) that the caller fetched; none of
them states a fact of its own.
"""

from __future__ import annotations

PHRASES: dict[str, tuple[str, str]] = {
    "price": ("{title} ({item_id}) costs {price}.", "{title}（{item_id}）的价格是 {price}。"),
    "no_price": ("{title} ({item_id}) has no price in the catalogue.", "{title}（{item_id}）目录中没有标价。"),
    "in_stock": ("{title} ({item_id}) is in stock.", "{title}（{item_id}）目前有货。"),
    "out_of_stock": ("{title} ({item_id}) is out of stock.", "{title}（{item_id}）目前缺货。"),
    "attribute": ("{title} ({item_id}): {name} is {value}.", "{title}（{item_id}）的{name}：{value}。"),
    "no_attribute": ("The catalogue does not list the {name} of {title} ({item_id}).",
                     "目录中没有 {title}（{item_id}）的{name}信息。"),
    "which_product": ("Which product do you mean? Tell me its name or item number.", "请问您指的是哪件商品？请告诉我商品名称或编号。"),
    "found": ("Here is what I found{limit}:", "为您找到以下商品{limit}："),
    "found_none": ("I found no product matching that{limit}.", "没有找到符合条件的商品{limit}。"),
    "limit_max": (" up to {high}", "（{high}以内）"),
    "limit_min": (" from {low}", "（{low}以上）"),
    "limit_range": (" between {low} and {high}", "（{low}到{high}之间）"),
    "item_line": ("- {title} ({item_id}): {price}, {stock}", "- {title}（{item_id}）：{price}，{stock}"),
    "stock_yes": ("in stock", "有货"),
    "stock_no": ("out of stock", "缺货"),
    "related": ("Shoppers who bought {title} ({item_id}) also bought:", "购买了 {title}（{item_id}）的顾客还买了："),
    "related_none": ("I have no purchase history that pairs anything with {title} ({item_id}) yet.",
                     "暂时没有与 {title}（{item_id}）一起购买的记录。"),
    "order": ("Your order {order_id} of {date} is {state}: {lines}.", "您 {date} 的订单 {order_id} 状态：{state}，包含 {lines}。"),
    "order_line": ("{quantity} × {title} ({item_id}){price}", "{title}（{item_id}）× {quantity}{price}"),
    "refund_line": ("refund of {quantity} × {title} ({item_id}){price}", "退款 {title}（{item_id}）× {quantity}{price}"),
    "no_orders": ("I can't find any order for your account.", "没有查到您账户的订单。"),
    "policy": ("From our {title} policy: {text}", "根据《{title}》：{text}"),
    "no_policy": ("I don't have the shop's information on this yet, so I'm passing you to a colleague.",
                  "我暂时没有这方面的店铺信息，为您转接人工客服。"),
    "handoff": ("I'm sorry about this. I'm connecting you with a member of our team, who will take it from here.",
                "非常抱歉给您带来不便，正在为您转接人工客服，稍后由同事为您处理。"),
    "clarify": ("Sorry, I'm not sure what you need. Is it about {first} or {second}?",
                "抱歉，我不太确定您的需求。请问是关于{first}，还是{second}？"),
    "greeting": ("Hello! I can help with products, prices, your orders and our policies.",
                 "您好！我可以帮您查询商品、价格、订单和店铺政策。"),
    "out_of_scope": ("I can only help with this shop: products, orders, delivery, payments and returns.",
                     "我只能解答与本店相关的问题：商品、订单、配送、支付和退换货。"),
}

TOPICS: dict[str, tuple[str, str]] = {
    "cancel_order": ("cancelling an order", "取消订单"), "change_order": ("changing an order", "修改订单"),
    "place_order": ("placing an order", "下单"), "track_order": ("an order's status", "订单状态"),
    "check_cancellation_fee": ("cancellation fees", "取消费用"), "check_invoice": ("your invoices", "查看发票"),
    "get_invoice": ("getting an invoice", "开具发票"), "check_payment_methods": ("payment methods", "支付方式"),
    "payment_issue": ("a payment problem", "支付问题"), "check_refund_policy": ("the refund policy", "退款政策"),
    "get_refund": ("a refund", "申请退款"), "track_refund": ("a refund's status", "退款进度"),
    "complaint": ("a complaint", "投诉"), "review": ("leaving a review", "评价"),
    "contact_customer_service": ("contacting customer service", "联系客服"),
    "contact_human_agent": ("talking to a person", "转人工"), "create_account": ("creating an account", "注册账号"),
    "delete_account": ("deleting your account", "注销账号"), "edit_account": ("your account details", "修改账户信息"),
    "recover_password": ("your password", "找回密码"), "registration_problems": ("signing up", "注册问题"),
    "switch_account": ("switching accounts", "切换账号"), "delivery_options": ("delivery options", "配送方式"),
    "delivery_period": ("delivery times", "配送时间"), "newsletter_subscription": ("the newsletter", "订阅邮件"),
    "change_shipping_address": ("changing the shipping address", "修改收货地址"),
    "set_up_shipping_address": ("adding a shipping address", "添加收货地址"),
    "product_question": ("a product's price or stock", "商品价格或库存"), "product_search": ("finding a product", "找商品"),
    "recommendation": ("suggestions that go with a product", "搭配推荐"), "small_talk": ("a chat", "闲聊"),
    "out_of_scope": ("something else", "其他问题"),
}  # fmt: skip


def say(key: str, zh: bool, **fields: object) -> str:
    return PHRASES[key][1 if zh else 0].format(**fields)


def topic(intent: str, zh: bool) -> str:
    return TOPICS[intent][1 if zh else 0]
